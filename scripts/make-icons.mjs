// Draws the app's icons and writes them as PNG files into main/app/icons: one tray
// icon per aggregate state (16×16 plus a 32×32 @2x variant, which Electron picks on
// high-DPI screens) and the 512×512 app icon electron-builder turns into .icns/.ico.
// Pure Node (zlib for the PNG's deflate stream); the output is committed, so the build
// never runs this. Run it again after changing a shape or colour:
//   node scripts/make-icons.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'main', 'app', 'icons');

// --- PNG encoding -------------------------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** RGBA (8 bits per channel, not premultiplied) → PNG bytes. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// --- drawing: shapes are predicates on the unit square, supersampled ------------------
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r1, r2) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d <= r2 * r2 && d >= r1 * r1;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
function roundedRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    if (!rect(x0, y0, x1, y1)(x, y)) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}
/** Convex polygon, points in order. */
function polygon(points) {
  return (x, y) => {
    let sign = 0;
    for (let i = 0; i < points.length; i++) {
      const [ax, ay] = points[i];
      const [bx, by] = points[(i + 1) % points.length];
      const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      if (cross !== 0) {
        const s = Math.sign(cross);
        if (sign === 0) sign = s;
        else if (s !== sign) return false;
      }
    }
    return true;
  };
}
const union = (...shapes) => (x, y) => shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);
/** The shape turned by `degrees` about (cx, cy). */
function rotate(shape, degrees, cx = 0.5, cy = 0.5) {
  const t = (-degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  return (x, y) => shape(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos);
}

const hex = (value, alpha = 255) => [parseInt(value.slice(1, 3), 16), parseInt(value.slice(3, 5), 16), parseInt(value.slice(5, 7), 16), alpha];

/** Paints layers ([shape, colour] or [shape, (x, y) => colour]) bottom to top. */
function render(size, layers, samples = 4) {
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Average premultiplied colour over samples×samples points in the pixel.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const [shape, paint] of layers) {
            if (!shape(x, y)) continue;
            const [lr, lg, lb, la] = typeof paint === 'function' ? paint(x, y) : paint;
            const alpha = la / 255;
            cr = lr * alpha + cr * (1 - alpha);
            cg = lg * alpha + cg * (1 - alpha);
            cb = lb * alpha + cb * (1 - alpha);
            ca = alpha + ca * (1 - alpha);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = samples * samples;
      const alpha = a / n;
      const i = (py * size + px) * 4;
      out[i] = alpha ? Math.round(r / n / alpha) : 0;
      out[i + 1] = alpha ? Math.round(g / n / alpha) : 0;
      out[i + 2] = alpha ? Math.round(b / n / alpha) : 0;
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

// --- the icons ----------------------------------------------------------------------
// A keyhole: a round head over a tapering slot.
const keyhole = union(circle(0.5, 0.4, 0.145), polygon([[0.45, 0.42], [0.55, 0.42], [0.6, 0.74], [0.4, 0.74]]));

const TRAY = {
  ok: '#2e9d5b', // green: every server works
  attention: '#e0a106', // amber: a token is about to lapse or being renewed
  'needs-sign-in': '#d64541', // red: a server needs the user
};

function trayIcon(state, size) {
  if (state === 'no-servers') {
    // Hollow grey badge: nothing to show yet.
    const grey = hex('#8a8f98');
    return render(size, [[ring(0.5, 0.5, 0.34, 0.47), grey], [keyhole, grey]]);
  }
  return render(size, [[circle(0.5, 0.5, 0.47), hex(TRAY[state])], [keyhole, hex('#ffffff')]]);
}

function appIcon(size) {
  const background = roundedRect(0.06, 0.06, 0.94, 0.94, 0.2);
  // Diagonal gradient, indigo to teal.
  const top = hex('#3b3f9e');
  const bottom = hex('#1f8a8a');
  const gradient = (x, y) => {
    const t = Math.min(1, Math.max(0, (x + y) / 2));
    return top.map((c, i) => Math.round(c + (bottom[i] - c) * t));
  };
  // A key lying at 45°: a ring bow, a shaft and two bits.
  const key = rotate(
    union(ring(0.3, 0.5, 0.075, 0.155), rect(0.45, 0.465, 0.8, 0.535), rect(0.66, 0.535, 0.71, 0.63), rect(0.75, 0.535, 0.8, 0.6)),
    -45,
  );
  const shadow = (x, y) => key(x - 0.012, y - 0.018);
  return render(size, [
    [background, gradient],
    [minus(shadow, key), [0, 0, 0, 70]],
    [key, hex('#ffffff')],
  ]);
}

fs.mkdirSync(outDir, { recursive: true });
const written = [];
function write(name, size, rgba) {
  const file = path.join(outDir, name);
  fs.writeFileSync(file, encodePng(size, size, rgba));
  written.push(`${path.relative(root, file)} (${size}×${size})`);
}
for (const state of ['no-servers', 'ok', 'attention', 'needs-sign-in']) {
  write(`tray-${state}.png`, 16, trayIcon(state, 16));
  write(`tray-${state}@2x.png`, 32, trayIcon(state, 32));
}
write('app.png', 512, appIcon(512));
console.log(`wrote ${written.join(', ')}`);
