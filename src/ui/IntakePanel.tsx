import { useEffect, useRef, useState } from 'react';
import { showMessage } from '../store/actions';
import { DigitGallery } from './DigitGallery';
import { DrawPad } from './DrawPad';
import { KeptImageNote } from './KeptImageNote';
import { intakeBlob as intake, intakeDecoded, openBundledDigit } from './bundledDigits';

/** Every way in: drop, file dialog, paste, draw, or a bundled digit. */
export function IntakePanel() {
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = Array.from(e.clipboardData?.items ?? []).find((i) => i.kind === 'file');
      const file = item?.getAsFile();
      if (file) {
        e.preventDefault();
        void intake(file, 'Pasted image');
      } else if (e.clipboardData?.types.includes('text/plain')) {
        showMessage('error', 'The clipboard holds text, not an image. Copy an image and paste again.');
      }
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  return (
    <section className="panel intake" aria-labelledby="intake-title">
      <h2 id="intake-title">Input</h2>
      <KeptImageNote />
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const file = e.dataTransfer.files[0];
          if (file) void intake(file, file.name);
          else showMessage('error', 'Nothing to read in what was dropped: drop an image file.');
        }}
      >
        <p>Drop an image of a digit here, paste one (Ctrl+V), or</p>
        <button type="button" onClick={() => fileInput.current?.click()}>Choose an image…</button>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          hidden
          data-testid="file-input"
          aria-label="Choose an image file"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void intake(file, file.name);
            e.currentTarget.value = '';
          }}
        />
      </div>
      <h3>Test digits (held out from training)</h3>
      <DigitGallery onPick={(d) => void openBundledDigit(d.file)} />
      <h3>Or draw one</h3>
      <DrawPad onDrawn={(decoded) => void intakeDecoded(decoded, decoded.blob, 'Drawing')} />
    </section>
  );
}
