/** Something on-call people must look at now; not a domain event (no consumer acts on it, a person does). */
export interface Alert {
  /** Stable id of what caused the alert (the triggering event's id), so a redelivered cause is recognisable. */
  id: string;
  severity: 'critical' | 'warning';
  /** One line, shown as an e-mail subject or a pager title; adapters shorten it to what their channel allows. */
  subject: string;
  message: string;
  /** Short facts to filter or route on (service, error code, conversation). */
  attributes?: Readonly<Record<string, string>>;
}

export interface Alerting {
  /** Hands the alert to the channel or throws; an alert that was not accepted is never reported as raised. */
  raise(alert: Alert, options?: { signal?: AbortSignal }): Promise<void>;
}
