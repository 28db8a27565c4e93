import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from services.geocoding.batch import RESULT_COLUMNS, run_batch_job
from services.geocoding.models import BatchJob

pytestmark = pytest.mark.django_db

JOBS = "/api/geocoding/jobs"
ROWS = [
    ["编号", "地址"],
    ["1", "杨舍镇人民中路88号"],
    ["2", "梁丰花园3幢"],
    ["3", ""],
    ["4", "人民中路50号"],
    ["5", "火星基地"],
]


def csv_bytes(rows, encoding="utf-8") -> bytes:
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    return stream.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def submit(client, name: str, content: bytes, column="地址", **extra):
    upload = SimpleUploadedFile(name, content)
    return client.post(JOBS, {"file": upload, "column": column, **extra})


def run(client, response) -> dict:
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/geocoding/jobs/{job_id}")
    run_batch_job(job_id)
    return client.get(f"{JOBS}/{job_id}").json()


def result_rows(client, job: dict) -> list[list[str]]:
    response = client.get(job["result_url"])
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if job["source_name"].endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(content)).active
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_a_csv_file_is_geocoded_row_by_row(city, client, encoding):
    job = run(client, submit(client, "register.csv", csv_bytes(ROWS, encoding)))
    assert (job["status"], job["rows"], job["matched"], job["progress"]) == ("done", 5, 3, 100)
    rows = result_rows(client, job)
    assert rows[0] == ["编号", "地址", *RESULT_COLUMNS]
    number, address, lon, lat, level, score, standard, note = rows[1]
    assert (level, score, standard) == (
        "house_number",
        "1.0",
        "江苏省苏州市张家港市杨舍镇人民中路88号",
    )
    assert float(lon) == pytest.approx(120.564) and float(lat) == pytest.approx(31.8698)
    assert rows[2][4] == "building"
    assert rows[3][2:] == ["", "", "", "", "", "empty address"]
    assert rows[4][-1] == "interpolated"
    assert rows[5][-1] == "no match"


def test_an_excel_file_comes_back_as_excel(city, client):
    job = run(client, submit(client, "register.xlsx", xlsx_bytes(ROWS)))
    assert job["status"] == "done"
    rows = result_rows(client, job)
    assert rows[1][4] == "house_number" and rows[0][-6:] == list(RESULT_COLUMNS)


def test_result_columns_do_not_overwrite_the_files_own(city, client):
    rows = [["地址", "lon", "level"], ["人民中路88号", "x", "y"]]
    job = run(client, submit(client, "own.csv", csv_bytes(rows)))
    header = result_rows(client, job)[0]
    assert header == [
        "地址",
        "lon",
        "level",
        "lon_geocoded",
        "lat",
        "level_geocoded",
        "score",
        "standard_address",
        "note",
    ]


def test_broken_encoding_fails_the_job_naming_the_line(city, client):
    # Past the part looked at to detect the encoding, one line is neither UTF-8 nor GBK.
    good = [ROWS[0]] + [[str(n), f"杨舍镇人民中路{n % 99 + 1}号"] for n in range(3000)]
    content = csv_bytes(good) + b"3001,\xff\xfe\n" + csv_bytes(ROWS[1:])
    job = run(client, submit(client, "broken.csv", content))
    assert job["status"] == "failed"
    assert job["message"].startswith("line 3002: bytes b'\\xff\\xfe\\n' are not valid utf-8 text")
    assert job["result_url"] is None and job["matched"] is None
    assert client.get(f"{JOBS}/{job['id']}/result").status_code == 409


def test_a_gbk_file_declared_as_utf8_is_refused_naming_the_line(city, client):
    response = submit(client, "gbk.csv", csv_bytes(ROWS, "gbk"), encoding="UTF-8")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("line 1: bytes")


def test_a_missing_column_is_refused_before_queueing(city, client):
    response = submit(client, "register.csv", csv_bytes(ROWS), column="address")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "parameter": "column",
        "detail": "column 'address' is not in the header row; the columns are '编号', '地址'",
    }
    assert not BatchJob.objects.exists()


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", "save the sheet as .xlsx or CSV"),
        ("notes.docx", b"PK", "must be a .csv or .xlsx file"),
        ("fake.xlsx", b"not a zip", "is not a readable .xlsx workbook"),
        ("broken.xlsx", None, "is not a readable .xlsx workbook"),
        ("empty.csv", b"", "is empty; it needs a header row"),
        ("binary.csv", bytes(range(256)) * 10, "neither UTF-8 nor GBK"),
    ],
)
def test_files_that_cannot_be_read_are_a_400(city, client, name, content, says):
    if content is None:  # a real zip whose parts are not what a workbook needs
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("[Content_Types].xml", "<not xml")
        content = stream.getvalue()
    response = submit(client, name, content)
    assert response.status_code == 400 and says in response.json()["detail"]


def test_an_upload_without_file_or_column_is_a_400(city, client):
    assert client.post(JOBS, {"column": "地址"}).json()["parameter"] == "file"
    upload = SimpleUploadedFile("a.csv", csv_bytes(ROWS))
    assert client.post(JOBS, {"file": upload}).json()["parameter"] == "column"


@override_settings(GEOSHARE_GEOCODING_BATCH_MAX_ROWS=3)
def test_a_file_over_the_row_limit_fails_before_any_row_is_geocoded(city, client):
    job = run(client, submit(client, "big.csv", csv_bytes(ROWS)))
    assert job["status"] == "failed"
    assert job["message"] == (
        "line 5: the file has more than 3 rows, the most one job takes "
        "(GEOSHARE_GEOCODING_BATCH_MAX_ROWS); split it into smaller files"
    )
    assert job["matched"] is None


@override_settings(GEOSHARE_GEOCODING_BATCH_MAX_UPLOAD_MB=1)
def test_an_upload_over_the_size_limit_is_a_400(city, client):
    response = submit(client, "huge.csv", b"a\n" + b"x" * (1024 * 1024 + 1))
    assert response.status_code == 400 and "at most 1 MB" in response.json()["detail"]


def test_a_users_job_is_not_found_by_others(city, client):
    owner = User.objects.create_user("owner", password="x" * 12)
    client.force_login(owner)
    job = run(client, submit(client, "register.csv", csv_bytes(ROWS)))
    assert job["status"] == "done"
    client.logout()
    assert client.get(f"{JOBS}/{job['id']}").status_code == 404
    assert client.get(f"{JOBS}/{job['id']}/result").status_code == 404


@pytest.mark.parametrize("encoding", ["zlib", "base64", "utf-16", "rot13", "idna"])
def test_an_encoding_that_is_not_a_text_encoding_is_a_400(city, client, encoding):
    response = submit(client, "a.csv", csv_bytes([["地址"], ["人民中路88号"]]), encoding=encoding)
    assert response.status_code == 400
    assert response.json()["parameter"] == "encoding"
    assert not BatchJob.objects.exists()


def test_short_rows_are_padded_and_long_rows_fail_the_job_naming_the_line(city, client):
    rows = [["编号", "地址", "备注"], ["1", "人民中路88号"], ["2", "人民中路90号", "", ""]]
    job = run(client, submit(client, "ragged.csv", csv_bytes(rows)))
    assert job["status"] == "done"
    short, trailing = result_rows(client, job)[1:]
    assert short[:3] == ["1", "人民中路88号", ""] and short[3] != ""
    assert trailing[:3] == ["2", "人民中路90号", ""] and trailing[3] != ""
    rows.append(["3", "人民中路92号", "", "多出来的"])
    job = run(client, submit(client, "long.csv", csv_bytes(rows)))
    assert job["status"] == "failed"
    assert job["message"] == "line 4 has 4 values but the header row names 3 columns"
