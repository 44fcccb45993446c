// A frame from the server: uint32 n (little-endian), n bytes of JSON, then float32 arrays
// at the offsets the JSON lists (see neuronlab/playground/frames.py).
const decoder = new TextDecoder();

export function decodeFrame(buffer) {
  const n = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, n)));
  const base = 4 + n;
  const arrays = {};
  for (const a of header.arrays) {
    const count = a.shape.reduce((p, s) => p * s, 1);
    arrays[a.name] = { data: new Float32Array(buffer, base + a.offset, count), shape: a.shape };
  }
  return { header, arrays };
}
