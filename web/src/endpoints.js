// The URLs of this server's services, absolute so they can be pasted into QGIS or GDAL.
// Only services this server actually runs (the page's configuration lists them) appear.

export class Endpoints {
  constructor(config) {
    this.config = config;
    this.origin = config.urls.public || window.location.origin;
    this.ows = new Set(config.ows);
    this.services = new Set(config.services);
  }

  has(name) {
    return this.ows.has(name) || this.services.has(name.toLowerCase());
  }

  owsUrl(params) {
    return `${this.config.urls.ows}?${new URLSearchParams(params)}`;
  }

  legendUrl(layer, style) {
    return this.owsUrl({
      SERVICE: 'WMS', VERSION: '1.3.0', REQUEST: 'GetLegendGraphic', FORMAT: 'image/png',
      LAYER: layer, STYLE: style,
    });
  }

  /** [label, absolute URL] pairs describing how to reach ``layer`` from a desktop GIS. */
  forLayer(layer) {
    const abs = (path) => this.origin + path;
    const links = [];
    const capabilities = (service) =>
      abs(this.owsUrl({ SERVICE: service, REQUEST: 'GetCapabilities' }));
    if (this.ows.has('WMS')) links.push(['WMS', capabilities('WMS')]);
    if (this.ows.has('WMTS')) links.push(['WMTS', abs('/wmts/1.0.0/WMTSCapabilities.xml')]);
    if (layer.storage === 'vector' && this.ows.has('WFS')) links.push(['WFS', capabilities('WFS')]);
    if (layer.storage === 'raster' && this.ows.has('WCS')) links.push(['WCS', capabilities('WCS')]);
    if (this.services.has('ogcapi')) {
      links.push(['OGC API', abs(`/ogcapi/collections/${layer.name}`)]);
      if (layer.storage === 'vector') {
        links.push([
          'MVT', abs(`/ogcapi/collections/${layer.name}/tiles/WebMercatorQuad/{z}/{y}/{x}`),
        ]);
      }
    }
    return links;
  }

  /** The layer's metadata record: the OGC API Records page, else the catalog API's JSON. */
  metadataUrl(layer) {
    const name = encodeURIComponent(layer.name);
    return this.services.has('ogcapi')
      ? `/ogcapi/collections/catalog/items/${name}?f=html`
      : `${this.config.urls.catalog}${name}/`;
  }
}
