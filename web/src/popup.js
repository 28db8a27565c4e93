// A popup anchored to a map position, used by identify and search.
import Overlay from 'ol/Overlay.js';
import { h } from './dom.js';
import { t } from './i18n.js';

export class Popup {
  constructor(map) {
    this.content = h('div', { class: 'popup-content' });
    this.element = h('div', { class: 'popup', role: 'dialog', hidden: true },
      h('button', { type: 'button', class: 'icon popup-close', title: t('close'), 'aria-label': t('close'),
        onclick: () => this.close() }, '×'),
      this.content);
    this.overlay = new Overlay({
      element: this.element, positioning: 'bottom-center', offset: [0, -10],
      autoPan: { animation: { duration: 200 }, margin: 40 },
    });
    map.addOverlay(this.overlay);
    this.onClose = null;
  }

  show(coordinate, ...children) {
    this.content.replaceChildren(...children.flat().filter(Boolean));
    this.element.hidden = false;
    this.overlay.setPosition(coordinate);
  }

  close() {
    this.element.hidden = true;
    this.overlay.setPosition(undefined);
    this.onClose?.();
  }
}
