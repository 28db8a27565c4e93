import pytest
from geoshare.access.policy import Principal
from services.geocoding.matcher import geocode
from services.geocoding.scope import scope_for

pytestmark = pytest.mark.django_db(databases=["default", "progress"])

QUERIES = ["江苏省苏州市张家港市杨舍镇人民中路88号", "人民中路88号", "人民路88号", "杨舍镇人民路8号", "塘桥镇人民路8号", "人民中路50号", "人民中路51号", "人民中路49号", "港城路12甲", "港城大道14号",
 "梁丰花园3幢", "梁丰小区3幢2单元201室", "梁丰花园3-2-201", "梁风花园3幢", "人明中路88号", "张家港市第一人民医院", "第一人民医院", "杨舍镇政府", "杨舍镇", "塘桥", "人民中路", "梁丰花园", "", "😀", "' OR 1=1 --"]

def test_try(city):
    for principal in (Principal.anonymous(), Principal(user_id=1, is_superuser=True)):
        scope = scope_for(principal)
        print(scope)
        for m in geocode(QUERIES, scope, limit=3):
            print(m.text, "|", {k: v for k, v in m.parsed.__dict__.items() if v})
            for c in m.candidates:
                print("    ", c.level.api_name, c.score, c.address, c.interpolated, round(c.lon, 5), round(c.lat, 5), c.layer)
