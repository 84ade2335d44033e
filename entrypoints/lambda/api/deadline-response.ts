import { PROBLEM_CONTENT_TYPE } from '../../http/schemas.js';

/** The problem+json the API answers when its deadline comes first, shaped like every other problem of the API. */
export function deadlineResponse(requestId: string) {
  return {
    statusCode: 504,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId, 'retry-after': '1' },
    body: JSON.stringify({
      type: 'urn:voice-assistant:problem:timeout',
      title: 'Gateway Timeout',
      status: 504,
      code: 'TIMEOUT',
      detail: 'The request took too long to complete.',
      requestId,
    }),
  };
}
