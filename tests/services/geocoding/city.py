"""A small, exactly known town for gazetteer tests, made through the real importer.

杨舍镇 (west) and 塘桥镇 (east) as polygons; 人民中路 (former name 人民路) and
港城大道 in 杨舍镇, another 人民路 in 塘桥镇; odd house numbers north of 人民中路 and
even ones south, with 50 and 51 missing; the compound 梁丰花园 with buildings in a
public layer and units and rooms in an internal one; two POIs.
"""

from __future__ import annotations

import shapely

from geoshare.access.models import Tier
from services.geocoding.models import FieldMapping, Target
from tests.factories import department, vector_layer

YANGSHE = shapely.box(120.50, 31.85, 120.60, 31.90)
TANGQIAO = shapely.box(120.60, 31.80, 120.70, 31.85)
RENMIN_Y = 31.87
MISSING_NUMBERS = (50, 51)


def house_xy(number: int) -> tuple[float, float]:
    """Where 人民中路 <number>号 stands: odd numbers north of the road, even south."""
    x = 120.52 + (number // 2) * 0.001
    return x, RENMIN_Y + (0.0002 if number % 2 else -0.0002)


def building_xy(building: int) -> tuple[float, float]:
    return 120.56 + building * 0.0005, 31.885


def make_city() -> dict:
    """Create the layers and mappings; returns the layers by role."""
    dept = department("t-gis", "测试规划局")
    police = department("t-police", "测试公安局")
    layers = {}
    layers["divisions"] = vector_layer(
        "t_divisions",
        [YANGSHE, TANGQIAO],
        {"code": ["320582100", "320582101"], "name": ["杨舍镇", "塘桥镇"]},
        dept=dept,
        kind="geocoding",
    )
    layers["roads"] = vector_layer(
        "t_roads",
        [
            shapely.LineString([(120.52, RENMIN_Y), (120.58, RENMIN_Y)]),
            shapely.LineString([(120.55, 31.85), (120.55, 31.90)]),
            shapely.LineString([(120.62, 31.82), (120.68, 31.82)]),
        ],
        {
            "name": ["人民中路", "港城大道", "人民路"],
            "alias": ["", "港城路", ""],
            "former": ["人民路", "", ""],
        },
        dept=dept,
        kind="geocoding",
    )
    houses, numbers, roads = [], [], []
    for number in range(1, 100):
        if number in MISSING_NUMBERS:
            continue
        houses.append(shapely.Point(*house_xy(number)))
        numbers.append(f"{number}号")
        roads.append("人民中路")
    for number in range(1, 21):
        houses.append(shapely.Point(120.62 + number * 0.001, 31.8202))
        numbers.append(str(number))
        roads.append("人民路")
    houses.append(shapely.Point(120.551, 31.86))
    numbers.append("甲12")
    roads.append("港城大道")
    houses.append(shapely.Point(120.551, 31.861))
    numbers.append("12-16号")
    roads.append("港城大道")
    layers["houses"] = vector_layer(
        "t_houses", houses, {"road": roads, "number": numbers}, dept=dept, kind="geocoding"
    )
    layers["compounds"] = vector_layer(
        "t_compounds",
        [shapely.box(120.56, 31.88, 120.565, 31.89)],
        {"name": ["梁丰花园"], "alias": ["梁丰小区"]},
        dept=dept,
        kind="geocoding",
    )
    layers["buildings"] = vector_layer(
        "t_buildings",
        [shapely.Point(*building_xy(b)) for b in range(1, 6)],
        {"compound": ["梁丰花园"] * 5, "building": [f"{b}幢" for b in range(1, 6)]},
        dept=dept,
        kind="geocoding",
    )
    rooms, room_fields = [], {"compound": [], "building": [], "unit": [], "room": []}
    for building in range(1, 6):
        for unit in (1, 2):
            for room in (101, 102, 201, 202):
                x, y = building_xy(building)
                rooms.append(shapely.Point(x + unit * 0.0001, y))
                room_fields["compound"].append("梁丰花园")
                room_fields["building"].append(str(building))
                room_fields["unit"].append(f"{unit}单元")
                room_fields["room"].append(str(room))
    layers["rooms"] = vector_layer(
        "t_rooms", rooms, room_fields, tier=Tier.INTERNAL, dept=police, kind="geocoding"
    )
    layers["pois"] = vector_layer(
        "t_pois",
        [shapely.Point(120.57, 31.875), shapely.Point(120.53, 31.86)],
        {"name": ["张家港市第一人民医院", "杨舍镇人民政府"], "category": ["医院", "政府"]},
        dept=dept,
        kind="geocoding",
    )
    FieldMapping.objects.bulk_create(
        [
            FieldMapping(
                layer=layers["divisions"],
                target=Target.DIVISION,
                code_field="code",
                name_field="name",
            ),
            FieldMapping(
                layer=layers["roads"],
                target=Target.ROAD,
                name_field="name",
                alias_field="alias",
                former_name_field="former",
            ),
            FieldMapping(
                layer=layers["houses"],
                target=Target.ADDRESS,
                road_field="road",
                number_field="number",
            ),
            FieldMapping(
                layer=layers["compounds"],
                target=Target.COMPOUND,
                name_field="name",
                alias_field="alias",
            ),
            FieldMapping(
                layer=layers["buildings"],
                target=Target.ADDRESS,
                compound_field="compound",
                building_field="building",
            ),
            FieldMapping(
                layer=layers["rooms"],
                target=Target.ADDRESS,
                compound_field="compound",
                building_field="building",
                unit_field="unit",
                room_field="room",
            ),
            FieldMapping(
                layer=layers["pois"],
                target=Target.POI,
                name_field="name",
                category_field="category",
            ),
        ]
    )
    return layers
