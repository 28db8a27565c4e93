// The search box: suggestions while typing (geocoding suggest), then a search that moves
// the map to the best match, marks it and shows the standardised address.
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { fromLonLat } from './projections.js';

const DEBOUNCE_MS = 150;

export class Search {
  constructor(form, { webmap, popup, marker, urls }) {
    Object.assign(this, { webmap, popup, marker, urls });
    this.input = form.querySelector('input');
    this.list = h('ul', { class: 'suggestions', role: 'listbox', hidden: true });
    form.append(this.list);
    this.timer = null;
    this.controller = null;
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.suggest(), DEBOUNCE_MS);
    });
    this.input.addEventListener('keydown', (event) => this.keys(event));
    this.input.addEventListener('blur', () => setTimeout(() => { this.list.hidden = true; }, 150));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.search(this.input.value);
    });
  }

  async fetchJson(url, query) {
    this.controller?.abort();
    this.controller = new AbortController();
    const response = await fetch(`${url}?${new URLSearchParams({ q: query })}`, {
      signal: this.controller.signal, headers: { Accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  async suggest() {
    const query = this.input.value.trim();
    if (!query) {
      this.list.hidden = true;
      return;
    }
    let answer;
    try {
      answer = await this.fetchJson(this.urls.suggest, query);
    } catch {
      return; // typing on is the answer to a failed suggestion
    }
    const items = suggestionsOf(answer);
    this.list.replaceChildren(...items.map((text) => h('li', {
      role: 'option', tabindex: -1,
      onmousedown: (event) => {
        event.preventDefault();
        this.input.value = text;
        this.search(text);
      },
    }, text)));
    this.list.hidden = items.length === 0;
  }

  keys(event) {
    const options = [...this.list.children];
    if (this.list.hidden || !options.length) return;
    const current = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    let next = current;
    if (event.key === 'ArrowDown') next = Math.min(options.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Escape') this.list.hidden = true;
    else return;
    event.preventDefault();
    options.forEach((o, i) => o.setAttribute('aria-selected', String(i === next)));
    if (next >= 0) this.input.value = options[next].textContent;
  }

  async search(text) {
    const query = text.trim();
    this.list.hidden = true;
    if (!query) return;
    let answer;
    try {
      answer = await this.fetchJson(this.urls.search, query);
    } catch (error) {
      if (error.name !== 'AbortError') this.notice(t('searchFailed'));
      return;
    }
    const best = resultsOf(answer)[0];
    if (!best) {
      this.notice(t('searchNothing', { q: query }));
      return;
    }
    this.show(best);
  }

  show(result) {
    const position = fromLonLat(result.lonLat, this.webmap.projection);
    const source = this.marker.getSource();
    source.clear();
    source.addFeature(new Feature(new Point(position)));
    this.webmap.map.getView().animate({ center: position, zoom: Math.max(this.webmap.map.getView().getZoom(), 16), duration: 300 });
    this.popup.show(position, h('div', { class: 'search-result' },
      h('p', { class: 'address' }, result.address),
      result.detail ? h('p', { class: 'detail' }, result.detail) : null));
  }

  notice(text) {
    const center = this.webmap.map.getView().getCenter();
    this.popup.show(center, h('p', { class: 'nothing' }, text));
  }
}

/** Suggestion texts from a geocoding suggest answer. */
function suggestionsOf(answer) {
  const items = Array.isArray(answer) ? answer : answer.suggestions || answer.results || [];
  return items.map((item) => (typeof item === 'string' ? item : item.text || item.address || item.name)).filter(Boolean);
}

/** {lonLat, address, detail} of each hit of a geocoding search answer. */
function resultsOf(answer) {
  const items = Array.isArray(answer) ? answer : answer.features || answer.results || [];
  return items.map((item) => ({
    lonLat: item.geometry?.coordinates ?? [item.lon ?? item.x, item.lat ?? item.y],
    address: item.properties?.address ?? item.address ?? item.properties?.name ?? item.name,
    detail: item.properties?.name ?? '',
  })).filter((r) => Number.isFinite(r.lonLat[0]) && Number.isFinite(r.lonLat[1]));
}
