import pytest
from django.contrib.auth.models import User

from geoshare.access.models import AuditRecord
from geoshare.geo import transformer
from tests.services.geocoding.city import house_xy

pytestmark = pytest.mark.django_db

SEARCH = "/api/geocoding/search"


def test_search_answers_candidates_with_points_levels_and_parts(city, client):
    body = client.get(SEARCH, {"q": "杨舍镇人民中路88号"}).json()
    assert body["parsed"] == {"town": "杨舍镇", "road": "人民中路", "number": "88"}
    assert body["crs"] == "EPSG:4490"
    top = body["results"][0]
    assert top["address"] == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert (top["level"], top["score"], top["interpolated"]) == ("house_number", 1.0, False)
    assert (top["lon"], top["lat"]) == pytest.approx(house_xy(88))
    assert top["components"] == {
        "district": "张家港市",
        "town": "杨舍镇",
        "road": "人民中路",
        "number": "88",
    }
    assert top["layer"] == "t_houses"


def projected(lon: float, lat: float) -> tuple[float, float]:
    return transformer(4490, 4549).transform(lon, lat)


def test_search_gives_x_y_in_the_crs_asked_for(city, client):
    top = client.get(SEARCH, {"q": "人民中路88号", "crs": "EPSG:4549"}).json()["results"][0]
    assert (top["x"], top["y"]) == pytest.approx(projected(*house_xy(88)), abs=0.01)
    assert (top["lon"], top["lat"]) == pytest.approx(house_xy(88))


def test_search_flags_an_interpolated_number(city, client):
    top = client.get(SEARCH, {"q": "人民中路50号", "limit": 1}).json()["results"]
    assert len(top) == 1 and top[0]["interpolated"] is True


@pytest.mark.parametrize(
    "query, parameter, says",
    [
        ({}, "q", "q must be an address, got nothing"),
        ({"q": "  "}, "q", "got nothing"),
        ({"q": "路" * 10_000}, "q", "at most 200 characters, got 10000"),
        ({"q": "人民路\x0088号"}, "q", "NUL character"),
        ({"q": "人民路\ufffd88号"}, "q", "undecodable bytes"),
        ({"q": "😀😀🏠"}, "q", "no letters or digits"),
        ({"q": "人民路", "limit": "0"}, "limit", "limit must be an integer from 1 to 50, got '0'"),
        ({"q": "人民路", "limit": "1e9"}, "limit", "from 1 to 50"),
        ({"q": "人民路", "crs": "EPSG:2000"}, "crs", "is not offered"),
        ({"q": "人民路", "bbox": "1,2,3"}, "bbox", "minx,miny,maxx,maxy"),
        ({"q": "人民路", "bbox": "120,31,nan,32"}, "bbox", "finite"),
        ({"q": "人民路", "near": "120.5"}, "near", "near must be x,y"),
        ({"q": "人民路", "near": "inf,31"}, "near", "finite"),
        ({"q": "人民路", "near": "500,31"}, "near", "longitude -180..180"),
    ],
)
def test_bad_search_input_is_a_400_naming_the_parameter(city, client, query, parameter, says):
    response = client.get(SEARCH, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["parameter"] == parameter and says in body["detail"]


def test_invalid_utf8_in_the_query_string_is_a_400(city, client):
    response = client.get(SEARCH + "?q=%E4%BA%BA%FF%FE")
    assert response.status_code == 400 and response.json()["parameter"] == "q"


def test_sql_looking_text_is_only_text(city, client):
    response = client.get(SEARCH, {"q": "1'; DROP TABLE geocoding_entry; --"})
    assert response.status_code == 200 and response.json()["results"] == []
    assert client.get(SEARCH, {"q": "人民中路88号"}).json()["results"]


def test_reverse_gives_the_nearest_address_its_distance_and_divisions(city, client):
    x, y = house_xy(88)
    body = client.get("/api/geocoding/reverse", {"lon": x, "lat": y + 0.0001}).json()
    assert body["result"]["address"] == "江苏省苏州市张家港市杨舍镇人民中路88号"
    assert body["result"]["distance_m"] == pytest.approx(11.1, abs=0.2)
    assert body["result"]["components"]["road"] == "人民中路"
    assert [(d["level"], d["name"], d["code"]) for d in body["divisions"]] == [
        ("province", "江苏省", "320000"),
        ("city", "苏州市", "320500"),
        ("district", "张家港市", "320582"),
        ("town", "杨舍镇", "320582100"),
    ]


def test_reverse_reads_the_point_in_the_crs_given(city, client):
    x, y = projected(*house_xy(88))
    body = client.get("/api/geocoding/reverse", {"lon": x + 3, "lat": y, "crs": "EPSG:4549"})
    result = body.json()["result"]
    assert result["address"].endswith("人民中路88号")
    assert result["distance_m"] == pytest.approx(3, abs=0.1)
    assert result["x"] == pytest.approx(x, abs=0.01)


def test_reverse_far_from_any_address_has_no_result(city, client):
    body = client.get("/api/geocoding/reverse", {"lon": 121.5, "lat": 31.2}).json()
    assert body == {"crs": "EPSG:4490", "result": None, "divisions": []}


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"lat": "31.8"}, "lon"),
        ({"lon": "120.5", "lat": "95"}, "lon"),
        ({"lon": "abc", "lat": "31.8"}, "lon"),
        ({"lon": "120.5", "lat": "31.8", "radius": "-5"}, "radius"),
    ],
)
def test_bad_reverse_input_is_a_400(city, client, query, parameter):
    response = client.get("/api/geocoding/reverse", query)
    assert response.status_code == 400 and response.json()["parameter"] == parameter


@pytest.mark.parametrize(
    "typed, first",
    [
        ("ysz", "杨舍镇"),
        ("yangshe", "杨舍镇"),
        ("梁丰", "梁丰花园"),
        ("杨舍镇梁", "梁丰花园"),
        ("lfhy", "梁丰花园"),
        ("人民中路8", "人民中路8号"),
        ("梁丰花园3", "梁丰花园3幢"),
    ],
)
def test_suggest_completes_prefixes_initials_and_numbers(city, client, typed, first):
    body = client.get("/api/geocoding/suggest", {"q": typed}).json()
    assert body["suggestions"][0]["text"] == first


def test_suggest_refuses_a_long_text(city, client):
    response = client.get("/api/geocoding/suggest", {"q": "人" * 61})
    assert response.status_code == 400 and "at most 60 characters" in response.json()["detail"]


def test_batch_answers_each_address_in_order(city, client):
    response = client.post(
        "/api/geocoding/batch",
        {
            "addresses": ["人民中路88号", "梁丰花园3幢", "", "x" * 300, "火星基地"],
            "crs": "EPSG:4326",
        },
        content_type="application/json",
    )
    results = response.json()["results"]
    assert [r["result"]["level"] if r["result"] else None for r in results] == [
        "house_number",
        "building",
        None,
        None,
        None,
    ]
    assert results[2]["error"] == "addresses[2] must be an address, got nothing"
    assert "at most 200 characters" in results[3]["error"]
    assert "error" not in results[4]
    assert "x" in results[0]["result"]


@pytest.mark.parametrize(
    "body, says",
    [
        ({"addresses": ["人民路"] * 1001}, "at most 1000 addresses, got 1001"),
        ({"addresses": ["人民路", 5]}, "addresses[1] must be a text, got int"),
        ({"addresses": []}, "non-empty list"),
        ({"addresses": "人民路"}, "non-empty list"),
        ([1, 2], "must be a JSON object"),
        ({"addresses": ["人民路"], "crs": 4326}, "crs must be a text such as EPSG:4549, got 4326"),
    ],
)
def test_bad_batch_requests_are_a_400(city, client, body, says):
    response = client.post("/api/geocoding/batch", body, content_type="application/json")
    assert response.status_code == 400 and says in response.json()["detail"]


@pytest.mark.parametrize("endpoint", ["batch", "verify"])
def test_a_lone_surrogate_is_refused_for_its_address_only(city, client, endpoint):
    body = '{"addresses": ["人民中路\\ud800 88号", "人民中路88号"]}'
    response = client.post(f"/api/geocoding/{endpoint}", body, content_type="application/json")
    assert response.status_code == 200
    bad, good = response.json()["results"]
    assert "undecodable bytes" in bad["error"]
    assert "error" not in good


def test_malformed_json_is_a_400_problem(city, client):
    response = client.post("/api/geocoding/batch", "{oops", content_type="application/json")
    assert response.status_code == 400 and "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/geocoding/batch", "/api/geocoding/verify"])
def test_json_nested_too_deeply_is_a_400_problem(city, client, path):
    body = '{"addresses": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]


def test_verify_says_whether_an_address_exists_without_coordinates(city, client):
    response = client.post(
        "/api/geocoding/verify",
        {"addresses": ["人民中路88号", "人民中路50号", "梁丰花园3幢", "梁丰花园9幢", "火星基地"]},
        content_type="application/json",
    )
    results = response.json()["results"]
    assert [(r["exists"], r["level"]) for r in results] == [
        (True, "house_number"),
        (False, "road"),
        (True, "building"),
        (False, "compound"),
        (False, None),
    ]
    text = response.content.decode()
    assert "lon" not in text and "31.8" not in text and "江苏省" not in text


def test_verify_one_address(city, client):
    response = client.post(
        "/api/geocoding/verify", {"address": "杨舍镇人民中路88号"}, content_type="application/json"
    )
    assert response.json()["results"][0]["exists"] is True


def test_each_answer_is_audited_with_the_number_of_results(city, client):
    client.get(SEARCH, {"q": "人民中路88号", "limit": 2})
    record = AuditRecord.objects.filter(service="GEOCODING").latest("time")
    assert (record.operation, record.items, record.status) == ("search", 2, 200)
    assert set(record.layers) <= {"t_houses", "t_roads"} and "t_houses" in record.layers


def test_hidden_rooms_answer_anonymous_callers_as_if_they_did_not_exist(city, client):
    room = "梁丰花园3幢2单元201室"
    anonymous = client.get(SEARCH, {"q": room}).json()["results"]
    assert anonymous[0]["level"] == "building"
    assert all(r["layer"] != "t_rooms" for r in anonymous)
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    assert client.get(SEARCH, {"q": room}).json()["results"][0]["level"] == "room"


def test_the_openapi_schema_documents_the_geocoding_api(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "search",
        "reverse",
        "suggest",
        "batch",
        "verify",
        "jobs",
        "jobs/{job_id}",
        "jobs/{job_id}/result",
    ):
        assert f"/api/geocoding/{path}" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/geocoding/search"]["get"]["parameters"]}
    assert {"q", "limit", "bbox", "near", "crs"} <= parameters
