// The layer tree: every layer the catalog lists for this visitor, grouped by kind and
// owner department, with a switch, opacity, legend, details and service URLs for each.
import { h, copyText } from './dom.js';
import { t, layerTitle } from './i18n.js';

const KIND_ORDER = ['emap', 'thematic', 'basemap', 'geocoding'];

export function defaultStyle(layer) {
  return (layer.styles.find((s) => s.default) || layer.styles[0] || { name: 'default' }).name;
}

/**
 * Build the tree into ``container``. ``state`` is {on: Set, opacity: Map};
 * ``onChange(name, {on, opacity})`` is called on every change the user makes.
 */
export function renderLayerTree(container, layers, { state, endpoints, onChange, onZoom }) {
  container.replaceChildren();
  if (!layers.length) {
    container.append(h('p', { class: 'empty' }, t('noLayers')));
    return;
  }
  const byKind = new Map();
  for (const layer of layers) {
    const departments = byKind.get(layer.kind) || new Map();
    byKind.set(layer.kind, departments);
    const list = departments.get(layer.department) || [];
    departments.set(layer.department, list);
    list.push(layer);
  }
  const kinds = [...byKind.keys()].sort((a, b) => KIND_ORDER.indexOf(a) - KIND_ORDER.indexOf(b));
  for (const kind of kinds) {
    const departments = [...byKind.get(kind).entries()].sort(([a], [b]) => a.localeCompare(b, 'zh'));
    container.append(h('details', { class: 'kind', open: true, dataset: { kind } },
      h('summary', {}, t(`kind_${kind}`)),
      departments.map(([department, list]) => h('details', { class: 'department', open: true },
        h('summary', {}, department),
        list.map((layer) => layerRow(layer, { state, endpoints, onChange, onZoom })),
      )),
    ));
  }
}

function layerRow(layer, { state, endpoints, onChange, onZoom }) {
  const style = defaultStyle(layer);
  const checkbox = h('input', { type: 'checkbox', checked: state.on.has(layer.name) });
  const opacity = h('input', {
    type: 'range', min: 0, max: 100, value: Math.round((state.opacity.get(layer.name) ?? 1) * 100),
    'aria-label': t('opacity'),
  });
  const legend = h('div', { class: 'legend' });
  const extra = h('div', { class: 'layer-extra', hidden: !checkbox.checked },
    h('label', { class: 'opacity' }, t('opacity'), opacity), legend);
  const showLegend = () => {
    if (legend.firstChild || !endpoints.has('WMS')) return;
    legend.append(h('img', { src: endpoints.legendUrl(layer.name, style), alt: t('legend'), loading: 'lazy' }));
  };
  if (checkbox.checked) showLegend();
  checkbox.addEventListener('change', () => {
    extra.hidden = !checkbox.checked;
    if (checkbox.checked) showLegend();
    onChange(layer.name, { on: checkbox.checked, style });
  });
  opacity.addEventListener('input', () => onChange(layer.name, { opacity: opacity.value / 100 }));

  const details = h('div', { class: 'layer-details', hidden: true }, detailsOf(layer, endpoints, onZoom));
  const info = h('button', {
    type: 'button', class: 'icon info', title: t('details'), 'aria-label': t('details'),
    'aria-expanded': 'false',
    onclick: () => {
      details.hidden = !details.hidden;
      info.setAttribute('aria-expanded', String(!details.hidden));
    },
  }, 'i');
  return h('div', { class: 'layer', dataset: { layer: layer.name } },
    h('div', { class: 'layer-head' },
      h('label', { class: 'layer-title' }, checkbox, h('span', {}, layerTitle(layer))),
      layer.tier !== 'public' ? h('span', { class: `tier tier-${layer.tier}` }, t(`tier_${layer.tier}`)) : null,
      info),
    extra, details);
}

function detailsOf(layer, endpoints, onZoom) {
  const facts = [
    [t('updated'), layer.data_updated],
    [t('scale'), layer.scale_denominator ? `1:${layer.scale_denominator}` : ''],
    [t('contact'), layer.contact],
  ].filter(([, value]) => value);
  return [
    layer.abstract ? h('p', { class: 'abstract' }, layer.abstract) : null,
    facts.length ? h('dl', {}, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])) : null,
    h('p', { class: 'links' },
      h('a', { href: endpoints.metadataUrl(layer), target: '_blank', rel: 'noopener' }, t('metadata')),
      layer.bbox ? h('button', { type: 'button', class: 'link', onclick: () => onZoom(layer.bbox) }, t('zoomTo')) : null),
    h('div', { class: 'endpoints' }, h('div', { class: 'caption' }, t('endpoints')),
      endpoints.forLayer(layer).map(([label, url]) => {
        const button = h('button', { type: 'button', class: 'copy' }, t('copy'));
        button.addEventListener('click', async () => {
          await copyText(url);
          button.textContent = t('copied');
          setTimeout(() => { button.textContent = t('copy'); }, 1500);
        });
        return h('div', { class: 'endpoint' }, h('span', { class: 'label' }, label),
          h('input', { type: 'text', readonly: true, value: url, onfocus: (e) => e.target.select() }), button);
      })),
  ];
}
