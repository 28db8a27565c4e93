"""Feature encoders: GML, GeoJSON and CSV stream; Shapefile and GeoPackage go through a file."""
