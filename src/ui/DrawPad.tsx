import { useEffect, useRef, useState } from 'react';
import { useStudio } from '../store/studioStore';
import { decodeCanvas } from './decodeImage';

const SIZE = 280;

/**
 * Draw a digit with a mouse, pen or finger: white ink on black, classified when the stroke ends.
 * Once another image is the input, the pad is cleared: it shows the drawing in use or nothing.
 */
export function DrawPad({ onDrawn }: { onDrawn: (decoded: Awaited<ReturnType<typeof decodeCanvas>>) => void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [empty, setEmpty] = useState(true);
  /** The preview of the pad's latest drawing handed over for classification. */
  const drawn = useRef<string | null>(null);
  const inputUrl = useStudio((s) => s.input?.previewUrl ?? null);

  const context = () => {
    const ctx = ref.current!.getContext('2d', { willReadFrequently: true })!;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    return ctx;
  };
  const point = (e: React.PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * SIZE) / r.width, y: ((e.clientY - r.top) * SIZE) / r.height };
  };
  const clear = () => {
    const ctx = context();
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIZE, SIZE);
    setEmpty(true);
  };
  // Another image became the input (not while a stroke is under way).
  useEffect(() => {
    if (inputUrl !== null && inputUrl !== drawn.current && ref.current && !last.current) clear();
  }, [inputUrl]);

  return (
    <div className="drawpad">
      <canvas
        ref={(el) => {
          (ref as React.MutableRefObject<HTMLCanvasElement | null>).current = el;
          if (el && !el.dataset.ready) {
            el.dataset.ready = '1';
            const ctx = el.getContext('2d', { willReadFrequently: true })!;
            ctx.fillStyle = '#000';
            ctx.fillRect(0, 0, SIZE, SIZE);
          }
        }}
        width={SIZE}
        height={SIZE}
        data-testid="drawpad"
        aria-label="Drawing area: draw a digit with the mouse or a pen"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          last.current = point(e);
          const ctx = context();
          const w = e.pointerType === 'pen' && e.pressure > 0 ? 12 + 16 * e.pressure : 20;
          ctx.beginPath();
          ctx.arc(last.current.x, last.current.y, w / 2, 0, 2 * Math.PI);
          ctx.fill();
          setEmpty(false);
        }}
        onPointerMove={(e) => {
          if (!last.current) return;
          const p = point(e);
          const ctx = context();
          ctx.lineWidth = e.pointerType === 'pen' && e.pressure > 0 ? 12 + 16 * e.pressure : 20;
          ctx.beginPath();
          ctx.moveTo(last.current.x, last.current.y);
          ctx.lineTo(p.x, p.y);
          ctx.stroke();
          last.current = p;
        }}
        onPointerUp={async () => {
          if (!last.current) return;
          last.current = null;
          const decoded = await decodeCanvas(ref.current!);
          drawn.current = decoded.previewUrl;
          onDrawn(decoded);
        }}
      />
      <button type="button" onClick={clear} disabled={empty}>Clear drawing</button>
    </div>
  );
}
