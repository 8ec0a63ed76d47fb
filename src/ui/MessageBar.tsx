import { useStudio } from '../store/studioStore';
import { dismissMessage } from '../store/actions';

/** Errors and notes about the input, where the user is looking (top of the page). */
export function MessageBar() {
  const message = useStudio((s) => s.message);
  const busy = useStudio((s) => s.busy);
  return (
    <div className="messages">
      {busy && <p role="status" className="busy">{busy}</p>}
      {message && (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={`message ${message.kind}`} data-testid={`message-${message.kind}`}>
          {message.text}
          <button type="button" onClick={dismissMessage} aria-label="Dismiss message">×</button>
        </p>
      )}
    </div>
  );
}
