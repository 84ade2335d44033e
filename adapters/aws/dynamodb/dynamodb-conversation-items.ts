import type { Conversation, ConversationSummary, Turn } from '../../../core/model/conversation.js';
import type { DialogueState } from '../../../core/model/dialogue-state.js';
import type { DomainEvent } from '../../../core/model/events.js';
import { eventEnvelope } from '../../shared/event-envelope.js';
import type { AppendExchange } from '../../../core/ports/conversation-store.js';
import type { Item } from './dynamodb-items.js';
import { TABLE, keys, plainJson } from './dynamodb-table.js';

/*
 * How a conversation is laid out in the single table (dynamodb-table-design.md): the header in the user's partition
 * under CONV#<id>, indexed by recency for listings; each turn beside it under TURN#<id>#<seq>, with the turn itself
 * as a map. State and turns are stored as plain JSON maps, as the other stores keep them as JSON text.
 */

export function headerKey(userId: string, conversationId: string): Record<string, string> {
  return { [TABLE.partitionKey]: keys.user(userId), [TABLE.sortKey]: keys.conversation(conversationId) };
}

export function headerItem(conversation: Conversation, expiresAt: number): Item {
  const { userId, id } = conversation;
  return {
    ...headerKey(userId, id),
    [TABLE.indexPartitionKey]: keys.user(userId),
    [TABLE.indexSortKey]: keys.recency(conversation.updatedAt, id),
    type: 'conversation',
    userId,
    conversationId: id,
    title: conversation.title,
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    version: conversation.version,
    turnCount: conversation.turnCount,
    state: plainJson(conversation.state),
    [TABLE.ttlAttribute]: expiresAt,
  };
}

export function turnItem(userId: string, conversationId: string, seq: number, turn: Turn, expiresAt: number): Item {
  return {
    [TABLE.partitionKey]: keys.user(userId),
    [TABLE.sortKey]: keys.turn(conversationId, seq),
    type: 'turn',
    conversationId,
    turn: plainJson(turn),
    [TABLE.ttlAttribute]: expiresAt,
  };
}

/**
 * One event of an exchange, written in the exchange's transaction for the table's stream to relay: the attributes the
 * EventBridge Pipe maps (type, detailType, source, detail as the JSON text EventBridge would carry) and a short expiry.
 */
export function eventItem(
  userId: string,
  conversationId: string,
  version: number,
  index: number,
  event: DomainEvent,
  source: string,
  expiresAt: number,
): Item {
  const envelope = eventEnvelope(event, source);
  return {
    [TABLE.partitionKey]: keys.user(userId),
    [TABLE.sortKey]: keys.event(conversationId, version, index, event.id),
    type: 'event',
    eventId: event.id,
    conversationId,
    detailType: envelope.detailType,
    source: envelope.source,
    detail: envelope.detail,
    [TABLE.ttlAttribute]: expiresAt,
  };
}

/** The domain event an event item carries. */
export function toEvent(item: Item): DomainEvent {
  return JSON.parse(item['detail'] as string) as DomainEvent;
}

/**
 * The header update of an appended exchange, applied only while the header exists at `expectedVersion`; on failure
 * DynamoDB returns the header as it was, which tells a deleted conversation from a moved-on one.
 */
export function headerUpdate(tableName: string, exchange: AppendExchange, next: Conversation, expiresAt: number) {
  const titled = exchange.title !== undefined;
  return {
    TableName: tableName,
    Key: headerKey(exchange.userId, exchange.conversationId),
    UpdateExpression:
      'SET #version = :next, #turnCount = :turnCount, #updatedAt = :at, #state = :state, #recency = :recency, #expiresAt = :expiresAt' +
      (titled ? ', #title = if_not_exists(#title, :title)' : ''),
    ConditionExpression: 'attribute_exists(#pk) AND #version = :expected',
    ExpressionAttributeNames: {
      '#pk': TABLE.partitionKey,
      '#version': 'version',
      '#turnCount': 'turnCount',
      '#updatedAt': 'updatedAt',
      '#state': 'state',
      '#recency': TABLE.indexSortKey,
      '#expiresAt': TABLE.ttlAttribute,
      ...(titled && { '#title': 'title' }),
    },
    ExpressionAttributeValues: {
      ':expected': exchange.expectedVersion,
      ':next': next.version,
      ':turnCount': next.turnCount,
      ':at': next.updatedAt,
      ':state': next.state,
      ':recency': keys.recency(next.updatedAt, exchange.conversationId),
      ':expiresAt': expiresAt,
      ...(titled && { ':title': exchange.title }),
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

export function toConversation(item: Item): Conversation {
  return {
    id: item['conversationId'] as string,
    userId: item['userId'] as string,
    createdAt: item['createdAt'] as string,
    updatedAt: item['updatedAt'] as string,
    version: item['version'] as number,
    turnCount: item['turnCount'] as number,
    state: item['state'] as DialogueState,
    ...(typeof item['title'] === 'string' && { title: item['title'] }),
  };
}

export function toSummary(item: Item): ConversationSummary {
  return {
    id: item['conversationId'] as string,
    createdAt: item['createdAt'] as string,
    updatedAt: item['updatedAt'] as string,
    turnCount: item['turnCount'] as number,
    ...(typeof item['title'] === 'string' && { title: item['title'] }),
  };
}

export function toTurn(item: Item): Turn {
  return item['turn'] as Turn;
}
