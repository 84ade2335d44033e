/**
 * How the model fakes decide to call a tool: the last user message says `call <tool> with <JSON arguments>` and the
 * request offers that tool. A real model follows the same instruction, so the contract case holds against one too.
 */
export function instructedToolCall(
  lastUserMessage: string,
  offered: readonly string[],
): { name: string; arguments: unknown } | undefined {
  const match = /\bcall (?:the tool )?([\w-]+) with (\{.*\})/is.exec(lastUserMessage);
  if (!match || !offered.includes(match[1] as string)) return undefined;
  try {
    return { name: match[1] as string, arguments: JSON.parse(match[2] as string) as unknown };
  } catch {
    return undefined;
  }
}
