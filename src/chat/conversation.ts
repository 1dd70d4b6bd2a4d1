/** The shapes of a chat: roles and messages, as in OpenAI's API and TRL's `{"messages": [...]}` data. */

export type ChatRole = 'system' | 'user' | 'assistant';

export const CHAT_ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];

/** One turn of a conversation. */
export interface ChatMessage {
  role: ChatRole;
  content: string;
}

/** Whether a value names a chat role. */
export function isChatRole(value: unknown): value is ChatRole {
  return typeof value === 'string' && (CHAT_ROLES as readonly string[]).includes(value);
}
