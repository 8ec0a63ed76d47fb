/** An RGBA image as decoded by a browser canvas or a PNG decoder: 4 bytes per pixel, row-major. */
export interface RawImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

export function checkRawImage(img: RawImage): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`The image has no pixels (${img.width} x ${img.height}).`);
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new Error(`The image data holds ${img.data.length} bytes, not ${img.width} x ${img.height} x 4.`);
  }
}
