from geoshare.webmap import assets


def test_the_entry_brings_its_css_and_static_imports_but_not_lazy_chunks():
    manifest = {
        "src/main.js": {"file": "webmap/assets/main-AAAAAAAA.js", "css": ["webmap/assets/main-B.css"],
                        "imports": ["_shared-C.js"], "dynamicImports": ["src/print.js"]},
        "_shared-C.js": {"file": "webmap/assets/shared-CCCCCCCC.js", "css": ["webmap/assets/shared-D.css"],
                         "imports": ["_deep-E.js"]},
        "_deep-E.js": {"file": "webmap/assets/deep-EEEEEEEE.js", "imports": ["_shared-C.js"]},
        "src/print.js": {"file": "webmap/assets/print-FFFFFFFF.js", "isDynamicEntry": True},
    }
    entry = assets._read(manifest)
    assert entry.script == "webmap/assets/main-AAAAAAAA.js"
    assert entry.styles == ("webmap/assets/main-B.css", "webmap/assets/shared-D.css")
    assert entry.preloads == ("webmap/assets/shared-CCCCCCCC.js", "webmap/assets/deep-EEEEEEEE.js")


def test_the_built_manifest_names_files_that_exist():
    entry = assets.entry()
    assert entry.script.startswith("webmap/assets/main-")
    assert "jspdf" not in " ".join(entry.preloads)  # the PDF library stays lazy
