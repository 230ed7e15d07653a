import { methodLabels } from '../core/claims.ts';
import type { MethodologyCalculation } from '../core/types.ts';
import type { RelayMessages } from '../i18n/messages.ts';

/** Props of the methodology list slot. */
export interface MethodologyListProps {
  /** Undefined when the claim type's configuration hides it. */
  methodology: MethodologyCalculation[] | undefined;
  messages: RelayMessages;
}

/** How the claim was checked: labels for known methods, the raw name for methods Persona adds later. */
export function MethodologyList({ methodology, messages }: MethodologyListProps) {
  if (!methodology) return <p className="relay-kit__note">{messages.methodologyHidden}</p>;
  return (
    <div className="relay-kit__methodology">
      <h3>{messages.methodologyHeading}</h3>
      <ul>
        {methodology.map((step, index) => (
          <li key={`${step.method}-${String(index)}`} data-result={step.result}>
            <span>{messages.methods[step.method] ?? methodLabels[step.method] ?? step.method}</span>{' '}
            <span className="relay-kit__result">{step.result === 'passed' ? messages.methodPassed : messages.methodFailed}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
