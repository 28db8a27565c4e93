// Lengths and areas as people read them, in the current language's units.
import { t } from './i18n.js';

export function formatLength(metres) {
  return metres >= 1000
    ? `${(metres / 1000).toFixed(2)} ${t('km')}`
    : `${metres.toFixed(1)} ${t('m')}`;
}

export function formatArea(squareMetres) {
  if (squareMetres >= 1e6) return `${(squareMetres / 1e6).toFixed(3)} ${t('km2')}`;
  if (squareMetres >= 1e4) return `${(squareMetres / 1e4).toFixed(2)} ${t('ha')}`;
  return `${squareMetres.toFixed(1)} ${t('m2')}`;
}
