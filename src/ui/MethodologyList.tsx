import { methodLabel } from '../i18n/claimLabel.ts';
import type { MethodologyCalculation } from '../core/types.ts';
import type { RelayMessages } from '../i18n/messages.ts';
import { StatusMark } from './StatusMark.tsx';

/** Props of the methodology list slot. */
export interface MethodologyListProps {
  /** Undefined when the claim type's configuration hides it. */
  methodology: MethodologyCalculation[] | undefined;
  messages: RelayMessages;
}

/** How the claim was checked, one marked line per method; methods Persona adds later are named by their words. */
export function MethodologyList({ methodology, messages }: MethodologyListProps) {
  if (!methodology) return <p className="relay-kit__note">{messages.methodologyHidden}</p>;
  return (
    <div className="relay-kit__methodology">
      <h3>{messages.methodologyHeading}</h3>
      <ul>
        {methodology.map((step, index) => (
          <li key={`${step.method}-${String(index)}`} data-result={step.result}>
            <StatusMark kind={step.result === 'passed' ? 'check' : 'cross'} size="small" />
            <span>{methodLabel(step.method, messages)}</span>{' '}
            <span className="relay-kit__result">{step.result === 'passed' ? messages.methodPassed : messages.methodFailed}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
