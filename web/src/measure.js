// Geodesic distance and area (ol/sphere, on the sphere of the WGS84/CGCS2000 mean radius),
// whatever the view projection.
import Overlay from 'ol/Overlay.js';
import { getArea, getLength } from 'ol/sphere.js';
import { h } from './dom.js';
import { formatArea, formatLength } from './format.js';
import { drawOnce } from './sketch.js';

export class Measure {
  constructor(map, layer) {
    this.map = map;
    this.layer = layer;
    this.labels = [];
    this.stop = null;
  }

  /** Start measuring: ``type`` is 'LineString' (distance) or 'Polygon' (area). */
  start(type, onResult) {
    this.stop?.();
    const element = h('div', { class: 'measure-label' });
    const label = new Overlay({ element, offset: [0, -12], positioning: 'bottom-center', stopEvent: false });
    this.map.addOverlay(label);
    this.labels.push(label);
    const measureOf = (geometry) => {
      const projection = this.map.getView().getProjection();
      return type === 'Polygon'
        ? formatArea(getArea(geometry, { projection }))
        : formatLength(getLength(geometry, { projection }));
    };
    this.stop = drawOnce(this.map, this.layer, type, {
      onDrawing: (geometry) => {
        element.textContent = measureOf(geometry);
        label.setPosition(type === 'Polygon'
          ? geometry.getInteriorPoint().getCoordinates()
          : geometry.getLastCoordinate());
      },
      onEnd: (feature) => {
        this.stop = null;
        const text = measureOf(feature.getGeometry());
        element.textContent = text;
        element.classList.add('done');
        onResult?.(text);
      },
    });
  }

  clear() {
    this.stop?.();
    this.stop = null;
    this.layer.getSource().clear();
    for (const label of this.labels) this.map.removeOverlay(label);
    this.labels = [];
  }
}
