import type { ConversationSummary } from './api';

export interface ConversationListProps {
  items: ConversationSummary[];
  currentId?: string | undefined;
  onOpen: (id: string) => void;
  onDelete: (id: string) => void;
}

function labelOf(item: ConversationSummary): string {
  if (item.title) return item.title;
  const when = item.updatedAt ?? item.createdAt;
  return when ? `Conversation of ${new Date(when).toLocaleString()}` : `Conversation ${item.id}`;
}

/** Past conversations: open one to resume it, or delete it. */
export function ConversationList({ items, currentId, onOpen, onDelete }: ConversationListProps) {
  if (items.length === 0) return <p>No conversations yet.</p>;
  return (
    <ul className="conversations">
      {items.map((item) => (
        <li key={item.id}>
          <button
            type="button"
            className="link"
            aria-current={item.id === currentId ? 'true' : undefined}
            onClick={() => onOpen(item.id)}
          >
            {labelOf(item)}
          </button>
          <button
            type="button"
            className="danger"
            aria-label={`Delete ${labelOf(item)}`}
            onClick={() => onDelete(item.id)}
          >
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}
