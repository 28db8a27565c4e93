// Print/export the current view as PNG or PDF: the map's own canvases composed client-side
// with a title, the legends of the layers on, a scale bar and a north arrow. Loaded only
// when the user exports; the PDF library only when a PDF is asked for.
import { getPointResolution } from 'ol/proj.js';
import { formatLength } from './format.js';
import { t } from './i18n.js';

const HEADER = 56;
const FOOTER = 28;
const LEGEND_WIDTH = 220;
const FONT = '"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", sans-serif';

/** Compose the view; resolves to a canvas. ``legends`` is [{title, url}] of the layers on. */
export async function composeView(map, { title, legends }) {
  await new Promise((resolve) => {
    map.once('rendercomplete', resolve);
    map.renderSync();
  });
  const [width, height] = map.getSize();
  const ratio = window.devicePixelRatio || 1;
  const images = await Promise.all(legends.map(loadLegend));
  const shown = legends.map((legend, i) => ({ ...legend, image: images[i] })).filter((l) => l.image);
  const legendWidth = shown.length ? LEGEND_WIDTH : 0;

  const canvas = document.createElement('canvas');
  canvas.width = Math.round((width + legendWidth) * ratio);
  canvas.height = Math.round((HEADER + height + FOOTER) * ratio);
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width + legendWidth, HEADER + height + FOOTER);

  ctx.fillStyle = '#1d2b36';
  ctx.font = `600 22px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(title, 16, HEADER / 2, width + legendWidth - 32);

  ctx.save();
  ctx.translate(0, HEADER);
  drawLayers(ctx, map, ratio);
  ctx.strokeStyle = '#1d2b36';
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
  drawNorthArrow(ctx, width - 34, 18);
  drawScaleBar(ctx, map, 16, height - 22);
  ctx.restore();

  let y = HEADER + 8;
  ctx.font = `600 14px ${FONT}`;
  if (shown.length) ctx.fillText(t('legend'), width + 12, y + 8);
  y += 24;
  for (const legend of shown) {
    ctx.font = `13px ${FONT}`;
    ctx.fillStyle = '#1d2b36';
    ctx.fillText(legend.title, width + 12, y + 8, LEGEND_WIDTH - 24);
    y += 20;
    const scale = Math.min(1, (LEGEND_WIDTH - 24) / legend.image.width);
    ctx.drawImage(legend.image, width + 12, y, legend.image.width * scale, legend.image.height * scale);
    y += legend.image.height * scale + 10;
  }

  ctx.font = `11px ${FONT}`;
  ctx.fillStyle = '#5b6770';
  ctx.fillText(`${map.getView().getProjection().getCode()} · ${new Date().toLocaleString()}`,
    16, HEADER + height + FOOTER / 2);
  return canvas;
}

function drawLayers(ctx, map, ratio) {
  // As in OpenLayers' export example: every layer canvas with its CSS transform and opacity.
  for (const canvas of map.getViewport().querySelectorAll('.ol-layers canvas')) {
    if (!canvas.width) continue;
    const opacity = canvas.parentNode.style.opacity || canvas.style.opacity;
    ctx.globalAlpha = opacity === '' ? 1 : Number(opacity);
    const match = canvas.style.transform.match(/^matrix\(([^(]*)\)$/);
    const matrix = match ? match[1].split(',').map(Number) : [
      Number.parseFloat(canvas.style.width) / canvas.width, 0, 0,
      Number.parseFloat(canvas.style.height) / canvas.height, 0, 0];
    ctx.save();
    ctx.setTransform(ratio * matrix[0], matrix[1], matrix[2], ratio * matrix[3],
      ratio * matrix[4], ratio * (matrix[5] + HEADER));
    ctx.drawImage(canvas, 0, 0);
    ctx.restore();
  }
  ctx.globalAlpha = 1;
}

function drawNorthArrow(ctx, x, y) {
  ctx.save();
  ctx.fillStyle = '#1d2b36';
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + 9, y + 26);
  ctx.lineTo(x, y + 20);
  ctx.lineTo(x - 9, y + 26);
  ctx.closePath();
  ctx.fill();
  ctx.font = `600 13px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.fillText(t('north'), x, y + 38);
  ctx.restore();
}

function drawScaleBar(ctx, map, x, y) {
  const view = map.getView();
  const metresPerPixel = getPointResolution(view.getProjection(), view.getResolution(), view.getCenter(), 'm');
  const target = metresPerPixel * 120;
  const step = 10 ** Math.floor(Math.log10(target));
  const metres = [5, 2, 1].map((n) => n * step).find((m) => m <= target) || step;
  const pixels = metres / metresPerPixel;
  ctx.save();
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(x - 6, y - 18, pixels + 80, 28);
  ctx.fillStyle = '#1d2b36';
  ctx.fillRect(x, y, pixels / 2, 5);
  ctx.strokeStyle = '#1d2b36';
  ctx.strokeRect(x + 0.5, y + 0.5, pixels, 5);
  ctx.font = `12px ${FONT}`;
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', x - 3, y - 2);
  ctx.fillText(formatLength(metres), x + pixels - 10, y - 2);
  ctx.restore();
}

async function loadLegend({ url }) {
  const image = new Image();
  image.src = url;
  try {
    await image.decode();
    return image;
  } catch {
    return null; // a layer without a legend prints without one
  }
}

/** Save ``canvas`` as ``name``.png or .pdf. */
export async function save(canvas, name, format) {
  if (format === 'pdf') {
    const { jsPDF } = await import('jspdf');
    const landscape = canvas.width >= canvas.height;
    const pdf = new jsPDF({ orientation: landscape ? 'landscape' : 'portrait', unit: 'mm', format: 'a4' });
    const pageWidth = pdf.internal.pageSize.getWidth() - 20;
    const pageHeight = pdf.internal.pageSize.getHeight() - 20;
    const scale = Math.min(pageWidth / canvas.width, pageHeight / canvas.height);
    pdf.addImage(canvas.toDataURL('image/jpeg', 0.92), 'JPEG', 10, 10, canvas.width * scale, canvas.height * scale);
    pdf.save(`${name}.pdf`);
    return;
  }
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `${name}.png`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
