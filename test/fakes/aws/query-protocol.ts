import { randomUUID } from 'node:crypto';
import type { FakeReply } from './fake-aws-server.js';

/*
 * The AWS Query protocol's answers (CloudFormation, and the other services whose SDK clients still send form-encoded
 * `Action=…` requests): XML documents named after the action, errors in an `<ErrorResponse>`.
 */

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Query protocol values as XML: objects become elements, arrays `<member>` lists, undefined is left out. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .map(([key, inner]) => `<${key}>${toXml(inner)}</${key}>`)
      .join('');
  }
  return typeof value === 'string'
    ? escape(value)
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';
}

/** A Query protocol answer: `<ActionResponse><ActionResult>…</ActionResult>` with a request id. */
export function queryOk(namespace: string, action: string, result: unknown): FakeReply {
  const body =
    `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, body, headers: { 'content-type': 'text/xml' } };
}

/** A Query protocol error; the SDK turns `code` into the error's name. */
export function queryError(namespace: string, code: string, message: string, status = 400): FakeReply {
  const body =
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code>` +
    `<Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, body, headers: { 'content-type': 'text/xml' } };
}
