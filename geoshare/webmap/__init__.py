"""The public web map at /map/: the page that loads the built OpenLayers bundle, and login."""
