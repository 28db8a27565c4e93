// Download the data of the layers on, inside an area the user draws: WFS GetFeature with a
// spatial filter, one link per layer and format. Only layers the catalog marks downloadable
// for this visitor are offered; the server checks the grant again and applies its limits.
import { h } from './dom.js';
import { t, layerTitle } from './i18n.js';
import { drawOnce } from './sketch.js';

/** The output formats offered, with their WFS 2.0 OUTPUTFORMAT names (docs/wfs-wcs.md). */
export const FORMATS = [
  { label: 'GeoJSON', outputFormat: 'application/json', extension: 'geojson' },
  { label: 'GeoPackage', outputFormat: 'application/geopackage+sqlite3', extension: 'gpkg' },
  { label: 'Shapefile', outputFormat: 'application/zip', extension: 'zip' },
  // ArcGIS 9/10 read GBK attribute text without a .cpg file.
  { label: 'Shapefile (GBK)', outputFormat: 'application/zip', extension: 'zip', options: 'charset:GBK' },
];

/** A WFS 2.0 GetFeature URL for ``layer`` limited to ``ring`` (CGCS2000 lon/lat). */
export function getFeatureUrl(endpoints, layer, format, ring) {
  // EPSG:4490 is latitude-first in GML 3.2, so the ring is written lat lon.
  const posList = ring.map(([lon, lat]) => `${lat} ${lon}`).join(' ');
  const filter =
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2">' +
    '<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>' +
    '<gml:Polygon gml:id="area" srsName="urn:ogc:def:crs:EPSG::4490"><gml:exterior><gml:LinearRing>' +
    `<gml:posList>${posList}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>` +
    '</fes:Intersects></fes:Filter>';
  return endpoints.owsUrl({
    SERVICE: 'WFS', VERSION: '2.0.0', REQUEST: 'GetFeature', TYPENAMES: layer.name,
    OUTPUTFORMAT: format.outputFormat, SRSNAME: 'urn:ogc:def:crs:EPSG::4490', FILTER: filter,
    ...(format.options ? { FORMAT_OPTIONS: format.options } : {}),
  });
}

export class Download {
  /** ``layersOn()`` gives the catalog entries of the overlays shown. */
  constructor(container, { webmap, sketch, endpoints, layersOn, toLonLatRing }) {
    Object.assign(this, { webmap, sketch, endpoints, layersOn, toLonLatRing });
    this.area = null;
    this.stop = null;
    this.list = h('div', { class: 'download-list' });
    container.append(
      h('p', { class: 'hint' }, t('downloadHint')),
      h('button', { type: 'button', class: 'tool', onclick: () => this.draw() }, t('downloadDraw')),
      this.list,
    );
  }

  reset() {
    this.stop?.();
    if (this.area && this.sketch.getSource().hasFeature(this.area)) {
      this.sketch.getSource().removeFeature(this.area);
    }
    this.area = null;
    this.list.replaceChildren();
  }

  draw() {
    this.reset();
    this.stop = drawOnce(this.webmap.map, this.sketch, 'Polygon', {
      onEnd: (feature) => {
        this.area = feature;
        this.refresh();
      },
    });
  }

  /** List the links again: after a new area, or when layers are turned on or off. */
  refresh() {
    const layers = this.layersOn().filter((l) => l.downloadable && l.storage === 'vector');
    if (!this.area) {
      this.list.replaceChildren(h('p', { class: 'nothing' }, t('downloadNeedArea')));
      return;
    }
    if (!layers.length || !this.endpoints.has('WFS')) {
      this.list.replaceChildren(h('p', { class: 'nothing' }, t('downloadNone')));
      return;
    }
    const ring = this.toLonLatRing(this.area.getGeometry());
    this.list.replaceChildren(...layers.map((layer) => h('div', { class: 'download', dataset: { layer: layer.name } },
      h('span', { class: 'title' }, layerTitle(layer)),
      FORMATS.map((format) => h('a', {
        href: getFeatureUrl(this.endpoints, layer, format, ring),
        download: `${layer.name}.${format.extension}`,
      }, format.label)))));
  }
}
