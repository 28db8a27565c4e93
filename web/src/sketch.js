// One vector layer for what the user draws (measurements, download areas, search marker)
// and a helper to draw a single geometry with OpenLayers' Draw interaction.
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Draw from 'ol/interaction/Draw.js';
import { unByKey } from 'ol/Observable.js';
import { Circle, Fill, Stroke, Style } from 'ol/style.js';

const ACCENT = '#d0342c';

export const sketchStyle = new Style({
  fill: new Fill({ color: 'rgba(208, 52, 44, 0.12)' }),
  stroke: new Stroke({ color: ACCENT, width: 2 }),
  image: new Circle({ radius: 7, fill: new Fill({ color: ACCENT }), stroke: new Stroke({ color: '#fff', width: 2 }) }),
});

export function sketchLayer(zIndex = 100) {
  return new VectorLayer({ source: new VectorSource(), style: sketchStyle, zIndex });
}

/**
 * Let the user draw one ``type`` geometry on ``map`` into ``layer``'s source.
 * ``onDrawing(geometry)`` follows the sketch; ``onEnd(feature)`` gets the result.
 * Returns a function that stops drawing.
 */
export function drawOnce(map, layer, type, { onDrawing, onEnd, keep = true } = {}) {
  const draw = new Draw({ source: keep ? layer.getSource() : undefined, type, style: sketchStyle });
  let listener;
  draw.on('drawstart', (event) => {
    const geometry = event.feature.getGeometry();
    if (onDrawing) listener = geometry.on('change', () => onDrawing(geometry));
  });
  draw.on('drawend', (event) => {
    if (listener) unByKey(listener);
    map.removeInteraction(draw);
    onEnd?.(event.feature);
  });
  map.addInteraction(draw);
  return () => map.removeInteraction(draw);
}
