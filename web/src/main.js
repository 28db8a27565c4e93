// geoshare's public web map: the page shell, wired to this server's catalog, WMTS, WMS,
// WFS and geocoding. Everything it loads comes from this server.
import 'ol/ol.css';
import './style.css';
import { transformExtent } from 'ol/proj.js';
import { h } from './dom.js';
import { language, layerTitle, setLanguage, t } from './i18n.js';
import { VIEW_PROJECTIONS, toLonLat } from './projections.js';
import { WebMap } from './map.js';
import { renderLayerTree, defaultStyle } from './layertree.js';
import { Endpoints } from './endpoints.js';
import { sketchLayer } from './sketch.js';
import { Popup } from './popup.js';
import { Identify } from './identify.js';
import { Measure } from './measure.js';
import { Download } from './download.js';
import { Search } from './search.js';
import { coordinatesBar } from './coords.js';
import { authControls } from './auth.js';
import { readHash, writeHash } from './permalink.js';

const MOBILE = window.matchMedia('(max-width: 700px)');

function main() {
  const config = JSON.parse(document.getElementById('webmap-config').textContent);
  setLanguage(config.language);
  document.title = `${t('appTitle')} · geoshare`;
  const endpoints = new Endpoints(config);
  const initial = readHash();
  const ui = shell(config);
  document.getElementById('app').replaceWith(ui.root);

  const webmap = new WebMap(ui.mapTarget, {
    projection: initial.projection || VIEW_PROJECTIONS[0], home: config.home,
  });
  if (initial.lonLat) webmap.setPlace(initial.lonLat, initial.zoom);
  // For bench/webmap.py and tests/browser: the first complete render, and the map itself.
  webmap.map.once('rendercomplete', () => {
    window.__firstRender = performance.now();
  });
  window.__webmap = webmap;

  const basemaps = config.basemaps;
  let base = basemaps.find((b) => b.id === initial.base) ||
    (initial.base === 'none' ? null : basemaps[0] || null);
  webmap.setBase(base);

  const state = { on: new Set(), opacity: new Map() };
  const catalog = new Map();
  const sketch = sketchLayer(100); // measurements
  const area = sketchLayer(100); // the download area
  const marker = sketchLayer(101); // the search result
  const highlight = sketchLayer(99); // identified features
  for (const layer of [highlight, sketch, area, marker]) webmap.map.addLayer(layer);
  const popup = new Popup(webmap.map);

  const remember = () => {
    const { lonLat, zoom } = webmap.getPlace();
    writeHash({
      zoom, lonLat, projection: webmap.projection, base: base ? base.id : 'none',
      layers: webmap.shownOverlays().map((name) => ({ name, opacity: state.opacity.get(name) ?? 1 })),
    });
  };
  webmap.map.on('moveend', remember);
  // The page writes the hash with replaceState (no event); a hash typed or pasted is a new view.
  window.addEventListener('hashchange', () => window.location.reload());

  let tool = null; // the tools panel, once built
  const setOverlay = (name, { on, opacity, style }) => {
    if (on !== undefined) {
      if (on) state.on.add(name); else state.on.delete(name);
      webmap.setOverlay(name, style, on, { opacity: state.opacity.get(name) ?? 1, order: state.on.size });
      tool?.download.refresh();
    }
    if (opacity !== undefined) {
      state.opacity.set(name, opacity);
      webmap.setOpacity(name, opacity);
    }
    remember();
  };

  // Base map switcher on the map, projection switch in the tools.
  const baseButtons = [...basemaps, null].map((b) => h('button', {
    type: 'button', class: 'basemap', 'aria-pressed': String(b === base), dataset: { basemap: b ? b.id : 'none' },
    onclick: () => {
      base = b;
      webmap.setBase(b);
      baseButtons.forEach((button) => button.setAttribute('aria-pressed', String(button.dataset.basemap === (b ? b.id : 'none'))));
      remember();
    },
  }, t(`basemap_${b ? b.id : 'none'}`)));
  ui.mapWrap.append(h('div', { class: 'basemaps', role: 'group', 'aria-label': t('basemap') }, baseButtons));
  ui.mapWrap.append(coordinatesBar(webmap, { showGrid: Boolean(config.user) }));

  new Identify(webmap, {
    endpoints, popup, highlight, catalog,
    queryLayers: () => {
      const shown = webmap.shownOverlays().reverse().map((name) => catalog.get(name)).filter(Boolean);
      return {
        features: shown.filter((l) => l.storage === 'vector').map((l) => l.name),
        info: [...shown.filter((l) => l.storage === 'raster').map((l) => l.name),
          ...(base?.identify ? [base.layer] : [])],
      };
    },
  });
  if (config.services.includes('geocoding')) {
    new Search(ui.search, {
      webmap, popup, marker,
      urls: { suggest: '/api/geocoding/suggest', search: '/api/geocoding/search' },
    });
  } else {
    ui.search.hidden = true;
  }

  tool = tools(ui.tools, { webmap, sketch, area, endpoints, catalog, state,
    onProjection: (projection) => {
      webmap.setProjection(projection);
      // Drawings are in the old projection's coordinates: start afresh.
      tool.measure.clear();
      tool.download.reset();
      for (const layer of [marker, highlight]) layer.getSource().clear();
      popup.close();
      remember();
    },
    legends: () => (endpoints.has('WMS') ? webmap.shownOverlays() : []).filter((n) => catalog.has(n)).map((name) => ({
      title: layerTitle(catalog.get(name)), url: endpoints.legendUrl(name, defaultStyle(catalog.get(name))),
    })),
  });

  loadCatalog(config).then((layers) => {
    for (const layer of layers) catalog.set(layer.name, layer);
    for (const { name, opacity } of initial.layers || []) {
      const layer = catalog.get(name);
      if (!layer) continue; // a shared link may name a layer this visitor cannot see
      state.opacity.set(name, opacity);
      setOverlay(name, { on: true, style: defaultStyle(layer) });
    }
    renderLayerTree(ui.tree, layers, {
      state, endpoints, onChange: setOverlay,
      onZoom: (bbox) => webmap.map.getView().fit(
        transformExtent(bbox, 'EPSG:4490', webmap.projection), { padding: [30, 30, 30, 30], duration: 300 }),
    });
  }).catch(() => {
    ui.tree.replaceChildren(h('p', { class: 'error' }, t('loadFailed')));
  });
}

async function loadCatalog(config) {
  const response = await fetch(config.urls.catalog, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`catalog: ${response.status}`);
  return response.json();
}

function shell(config) {
  const menu = h('button', {
    type: 'button', class: 'menu-toggle', 'aria-controls': 'panel', title: t('menu'), 'aria-label': t('menu'),
  }, h('span', { 'aria-hidden': 'true' }, '☰'));
  const search = h('form', { class: 'search', role: 'search' },
    h('input', { type: 'search', name: 'q', placeholder: t('searchPlaceholder'), 'aria-label': t('searchPlaceholder'), autocomplete: 'off' }),
    h('button', { type: 'submit' }, t('searchButton')));
  const languageButton = h('button', {
    type: 'button', class: 'header-button language', title: t('languageTitle'),
    onclick: () => {
      const next = language() === 'en' ? 'zh-hans' : 'en';
      document.cookie = `${config.languageCookie}=${next}; path=/; max-age=31536000; samesite=lax`;
      window.location.reload();
    },
  }, t('language'));
  const tree = h('div', { class: 'tree' }, h('p', { class: 'loading' }, '…'));
  const tools = h('div', { class: 'tools', hidden: true });
  const tabs = [['layers', tree], ['tools', tools]].map(([id, body]) => h('button', {
    type: 'button', role: 'tab', class: 'tab', 'aria-selected': String(id === 'layers'), dataset: { tab: id },
    onclick: (event) => {
      for (const button of event.target.parentNode.children) {
        button.setAttribute('aria-selected', String(button === event.target));
      }
      tree.hidden = id !== 'layers';
      tools.hidden = id !== 'tools';
    },
  }, t(id)));
  const panel = h('aside', { class: 'panel', id: 'panel' }, h('nav', { class: 'tabs', role: 'tablist' }, tabs), tree, tools);
  const mapTarget = h('div', { class: 'map', id: 'map' });
  const mapWrap = h('main', { class: 'map-wrap' }, mapTarget);
  const root = h('div', { class: 'app' },
    h('header', { class: 'topbar' }, menu, h('h1', {}, t('appTitle')), search,
      h('div', { class: 'header-right' }, languageButton, authControls(config))),
    panel, mapWrap);
  const setOpen = (open) => {
    root.classList.toggle('panel-closed', !open);
    menu.setAttribute('aria-expanded', String(open));
  };
  setOpen(!MOBILE.matches);
  menu.addEventListener('click', () => setOpen(root.classList.contains('panel-closed')));
  return { root, mapTarget, mapWrap, tree, tools, search };
}

function tools(container, { webmap, sketch, area, endpoints, catalog, state, onProjection, legends }) {
  const measure = new Measure(webmap.map, sketch);
  const result = h('output', { class: 'measure-result' });
  container.append(h('section', {}, h('h2', {}, t('measure')),
    h('p', { class: 'hint' }, t('measureHint')),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'tool', dataset: { measure: 'length' },
        onclick: () => measure.start('LineString', (text) => { result.textContent = text; }) }, t('measureLength')),
      h('button', { type: 'button', class: 'tool', dataset: { measure: 'area' },
        onclick: () => measure.start('Polygon', (text) => { result.textContent = text; }) }, t('measureArea')),
      h('button', { type: 'button', class: 'tool secondary', onclick: () => { measure.clear(); result.textContent = ''; } }, t('measureClear'))),
    result));

  const download = h('section', { class: 'download-tool' }, h('h2', {}, t('download')));
  container.append(download);
  const downloader = new Download(download, {
    webmap, sketch: area, endpoints,
    layersOn: () => [...state.on].map((name) => catalog.get(name)).filter(Boolean),
    toLonLatRing: (polygon) => polygon.getCoordinates()[0].map((c) => toLonLat(c, webmap.projection)),
  });

  const title = h('input', { type: 'text', value: t('appTitle'), 'aria-label': t('printTitle') });
  const status = h('output', { class: 'print-status' });
  const exportAs = async (format) => {
    status.textContent = t('printing');
    try {
      const print = await import('./print.js');
      const canvas = await print.composeView(webmap.map, { title: title.value, legends: legends() });
      await print.save(canvas, title.value || 'map', format);
      status.textContent = '';
    } catch (error) {
      status.textContent = t('printFailed');
      throw error;
    }
  };
  container.append(h('section', {}, h('h2', {}, t('print')),
    h('label', {}, t('printTitle'), title),
    h('div', { class: 'buttons' },
      h('button', { type: 'button', class: 'tool', onclick: () => exportAs('png') }, t('printPng')),
      h('button', { type: 'button', class: 'tool', onclick: () => exportAs('pdf') }, t('printPdf'))),
    status));

  container.append(h('section', {}, h('h2', {}, t('projection')),
    h('div', { class: 'buttons', role: 'radiogroup' }, VIEW_PROJECTIONS.map((code) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'projection', value: code, checked: code === webmap.projection,
        onchange: () => onProjection(code) }),
      t(`proj_${code.replace('EPSG:', '')}`))))));
  return { download: downloader, measure };
}

main();
