import { useEffect, useId, useState } from 'react';
import { parseParamInput, type ParamDescriptor, type ParamValue } from '../../core/methods/params';

/**
 * One parameter, edited in place: a select for choices, a checkbox for switches, a text or
 * number box for the rest (committed on Enter or when focus leaves). A refused value stays in
 * the box with the reason beside it, and nothing runs.
 */
export function ParamField({ methodId, descriptor, value, onCommit }: {
  methodId: string; descriptor: ParamDescriptor; value: ParamValue; onCommit: (v: ParamValue) => void;
}) {
  const id = `${methodId}-${descriptor.name}-${useId().replace(/[^\w-]/g, '')}`;
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(String(value));
    setProblem(null);
  }, [value]);
  const commit = (raw: string | boolean) => {
    const parsed = parseParamInput(descriptor, raw);
    if (!parsed.ok) return setProblem(parsed.problem);
    setProblem(null);
    if (parsed.value !== value) onCommit(parsed.value);
  };
  const testId = `compare-param-${methodId}-${descriptor.name}`;
  const describedBy = `${id}-about${problem ? ` ${id}-problem` : ''}`;
  let control;
  if (descriptor.kind === 'enum') {
    control = (
      <select id={id} value={String(value)} data-testid={testId} aria-describedby={describedBy} onChange={(e) => commit(e.currentTarget.value)}>
        {descriptor.options.map((o) => <option key={o} value={o}>{descriptor.optionLabels?.[o] ?? o}</option>)}
      </select>
    );
  } else if (descriptor.kind === 'boolean') {
    control = <input id={id} type="checkbox" checked={value === true} data-testid={testId} aria-describedby={describedBy} onChange={(e) => commit(e.currentTarget.checked)} />;
  } else {
    const numeric = descriptor.kind === 'number' || descriptor.kind === 'integer';
    control = (
      <input id={id} type={numeric ? 'number' : 'text'} step={descriptor.kind === 'integer' ? 1 : 'any'} value={text}
        className={numeric ? 'num' : 'text'} data-testid={testId} aria-describedby={describedBy} aria-invalid={problem !== null}
        onChange={(e) => setText(e.currentTarget.value)} onBlur={() => commit(text)}
        onKeyDown={(e) => { if (e.key === 'Enter') commit(text); }} />
    );
  }
  return (
    <div className="param-field">
      <label htmlFor={id}>{descriptor.label}</label>
      {control}
      {problem && <span id={`${id}-problem`} role="alert" className="error field-problem" data-testid={`${testId}-problem`}>{problem}</span>}
      <small id={`${id}-about`} className="param-about">{descriptor.description}</small>
    </div>
  );
}
