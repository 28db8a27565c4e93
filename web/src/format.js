// Lengths and areas as people read them, in the current language's units.
import { t } from './i18n.js';

const round = (value, digits) => Number(value.toFixed(digits)); // 500.0 -> 500

export function formatLength(metres) {
  return metres >= 1000 ? `${round(metres / 1000, 2)} ${t('km')}` : `${round(metres, 1)} ${t('m')}`;
}

export function formatArea(squareMetres) {
  if (squareMetres >= 1e6) return `${round(squareMetres / 1e6, 3)} ${t('km2')}`;
  if (squareMetres >= 1e4) return `${round(squareMetres / 1e4, 2)} ${t('ha')}`;
  return `${round(squareMetres, 1)} ${t('m2')}`;
}
