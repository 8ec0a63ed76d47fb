import { forgetKeptImage, useKeptImage } from '../store/keptImage';

/** Says which of the user's images this browser keeps for the next visit, with a way to forget it. */
export function KeptImageNote() {
  const { source, restored } = useKeptImage();
  if (!source) return null;
  return (
    <p className="kept-note" data-testid="kept-image" role="status">
      {restored ? <>Restored from your last visit: <strong>{source}</strong>. </> : <><strong>{source}</strong> </>}
      {restored ? 'It stays' : 'is kept'} in this browser only (never sent anywhere) and comes back when you reload.{' '}
      <button type="button" className="link-button" onClick={() => void forgetKeptImage()}>Forget it</button>
    </p>
  );
}
