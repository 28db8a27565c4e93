// The search box: suggestions while typing (geocoding suggest), then a search that moves
// the map to the best match, marks it and shows the standardised address.
import Feature from 'ol/Feature.js';
import Point from 'ol/geom/Point.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { fromLonLat } from './projections.js';

const DEBOUNCE_MS = 150;
const ZOOM_METRES = 1.2; // metres per pixel at a found address: a street block on screen

export class Search {
  constructor(form, { webmap, popup, marker, urls }) {
    Object.assign(this, { webmap, popup, marker, urls });
    this.input = form.querySelector('input');
    this.list = h('ul', { class: 'suggestions', role: 'listbox', hidden: true });
    form.append(this.list);
    this.timer = null;
    this.controllers = {};
    this.items = [];
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

  /** GET ``url?q=query`` as JSON; a newer request of the same ``kind`` aborts this one. */
  async fetchJson(kind, url, query) {
    this.controllers[kind]?.abort();
    const controller = new AbortController();
    this.controllers[kind] = controller;
    const response = await fetch(`${url}?${new URLSearchParams({ q: query })}`, {
      signal: controller.signal, headers: { Accept: 'application/json' },
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
      answer = await this.fetchJson('suggest', this.urls.suggest, query);
    } catch {
      return; // typing on is the answer to a failed suggestion
    }
    const items = answer.suggestions;
    this.list.replaceChildren(...items.map((item) => h('li', {
      role: 'option', tabindex: -1, title: item.address,
      onmousedown: (event) => {
        event.preventDefault();
        this.choose(item);
      },
    }, item.text)));
    this.items = items;
    this.list.hidden = items.length === 0;
  }

  /** A chosen suggestion with a point is shown as it is; one without is searched for. */
  choose(item) {
    this.input.value = item.text;
    this.list.hidden = true;
    if (Number.isFinite(item.lon) && Number.isFinite(item.lat)) this.show(item);
    else this.search(item.text);
  }

  keys(event) {
    const options = [...this.list.children];
    if (this.list.hidden || !options.length) return;
    const current = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    if (event.key === 'Enter' && current >= 0) {
      event.preventDefault();
      this.choose(this.items[current]);
      return;
    }
    let next = current;
    if (event.key === 'ArrowDown') next = Math.min(options.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Escape') this.list.hidden = true;
    else return;
    event.preventDefault();
    options.forEach((o, i) => o.setAttribute('aria-selected', String(i === next)));
  }

  async search(text) {
    const query = text.trim();
    clearTimeout(this.timer); // no suggestions once the search is asked for
    this.controllers.suggest?.abort();
    this.list.hidden = true;
    if (!query) return;
    let answer;
    try {
      answer = await this.fetchJson('search', this.urls.search, query);
    } catch (error) {
      if (error.name !== 'AbortError') this.notice(t('searchFailed'));
      return;
    }
    const best = answer.results[0];
    if (!best) {
      this.notice(t('searchNothing', { q: query }));
      return;
    }
    this.show(best);
  }

  /** Move to a geocoded place ({address, lon, lat}), mark it and show its address. */
  show(place) {
    const position = fromLonLat([place.lon, place.lat], this.webmap.projection);
    const source = this.marker.getSource();
    source.clear();
    source.addFeature(new Feature(new Point(position)));
    this.webmap.zoomTo(position, ZOOM_METRES);
    this.popup.show(position, h('div', { class: 'search-result' },
      h('p', { class: 'address' }, place.address)));
  }

  notice(text) {
    this.popup.show(this.webmap.map.getView().getCenter(), h('p', { class: 'nothing' }, text));
  }
}
