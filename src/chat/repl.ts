/**
 * The terminal chat (`lmkit chat`): read a message, stream the model's reply, repeat. Multi-line input
 * between `"""` lines; commands /system, /set, /show, /reset, /save, /load, /list, /help, /bye. Each
 * exchange is written to the history store (when one is given) as it happens.
 */
import { createInterface } from 'node:readline';
import {
  SAMPLING_PARAMS,
  samplingBoundsError,
  samplingParam,
  wireParams,
} from '../generate/sampling-params.js';
import type { SamplingOptions } from '../generate/sample.js';
import { streamText } from '../generate/stream.js';
import type { LanguageModel } from '../lm.js';
import type { ChatMessage, ChatRole } from './conversation.js';
import type { ChatTemplate } from './template.js';

/** A model as the chat needs it (the server's ServedModel is one). */
export interface ChatModel {
  id: string;
  model: LanguageModel;
  template: ChatTemplate;
  suppressTokens: number[];
}

/** The history store as the chat needs it (the server's ConversationStore is one). */
export interface ChatHistory {
  create(options: { title?: string; model?: string }): { id: string };
  add(
    conversationId: string,
    m: {
      role: ChatRole;
      content: string;
      model?: string;
      params?: Record<string, unknown>;
      finishReason?: string;
    },
  ): unknown;
  list(): { id: string; title: string; updated_at: number }[];
  rename(conversationId: string, title: string): unknown;
  path(conversationId: string): { role: ChatRole; content: string }[];
}

/** The sampling settings of a chat, which `/set NAME VALUE` changes (by the parameters' wire names). */
export type ChatSettings = SamplingOptions;

/** What the chat reads from and writes to. */
export interface ReplOptions {
  model: ChatModel;
  history?: ChatHistory;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Show prompts (`>>> `) and the greeting: true on a terminal. */
  interactive: boolean;
  settings: ChatSettings;
  system?: string;
}

const HELP = `Commands:
  /system TEXT       set the system prompt (starts a new conversation)
  /set NAME VALUE    a sampling parameter: temperature, top_p, top_k, max_tokens, seed, repetition_penalty, ... (e.g. /set temperature 0.7)
  /show              show the settings
  /reset             start a new conversation
  /save TITLE        name this conversation
  /load TITLE|ID     continue a saved conversation
  /list              list saved conversations
  /bye               leave
Write """ on a line to start and end a message of several lines.
`;

/** A running chat session. */
export class ChatSession {
  private messages: ChatMessage[] = [];
  private conversationId?: string;
  private current?: AbortController;
  private rl?: ReturnType<typeof createInterface>;

  /** Prepares a session; call {@link run}. */
  constructor(private readonly o: ReplOptions) {
    if (o.system) this.messages.push({ role: 'system', content: o.system });
  }

  /** Reads input until /bye or the end of input. */
  async run(): Promise<void> {
    const { output, interactive } = this.o;
    if (interactive)
      output.write(
        `Chatting with ${this.o.model.id} (${this.o.model.model.kind}). /help for commands, /bye to leave.\n`,
      );
    this.rl = createInterface({ input: this.o.input, terminal: false });
    let block: string[] | undefined;
    const prompt = () => interactive && output.write(block ? '... ' : '>>> ');
    prompt();
    for await (const line of this.rl) {
      if (block) {
        if (line.trimEnd().endsWith('"""')) {
          block.push(line.trimEnd().slice(0, -3));
          const text = block.join('\n').replace(/^\n+|\n+$/g, '');
          block = undefined;
          await this.send(text);
        } else block.push(line);
      } else if (line.trimStart().startsWith('"""')) {
        const rest = line.trimStart().slice(3);
        if (rest.trimEnd().endsWith('"""') && rest.trimEnd().length >= 3)
          await this.send(rest.trimEnd().slice(0, -3));
        else block = [rest];
      } else if (line.startsWith('/')) {
        if (!this.command(line.trim())) break;
      } else if (line.trim()) {
        await this.send(line);
      }
      prompt();
    }
    this.rl.close();
  }

  /** Stops the reply being written, if any; returns whether there was one. */
  interrupt(): boolean {
    if (!this.current) return false;
    this.current.abort();
    return true;
  }

  /** Sends a user message and streams the reply. */
  private async send(text: string): Promise<void> {
    const { model, output, settings, history } = this.o;
    this.messages.push({ role: 'user', content: text });
    if (history && !this.conversationId) {
      this.conversationId = history.create({ model: model.id }).id;
      for (const m of this.messages.slice(0, -1)) history.add(this.conversationId, m);
    }
    if (history && this.conversationId)
      history.add(this.conversationId, { role: 'user', content: text, model: model.id });
    this.current = new AbortController();
    const stream = streamText(model.model, model.template.render(this.messages), {
      ...settings,
      minTokens: Math.max(1, settings.minTokens ?? 0),
      suppressTokens: model.suppressTokens,
      stopTokens: model.template.endOfTurn,
      signal: this.current.signal,
    });
    let leading = true;
    let r = await stream.next();
    while (!r.done) {
      const delta = leading ? r.value.trimStart() : r.value;
      if (delta) leading = false;
      output.write(delta);
      r = await stream.next();
    }
    this.current = undefined;
    output.write(r.value.finishReason === 'cancelled' ? ' [stopped]\n' : '\n');
    const reply = model.template.parseReply(r.value.text);
    this.messages.push({ role: 'assistant', content: reply });
    if (history && this.conversationId) {
      history.add(this.conversationId, {
        role: 'assistant',
        content: reply,
        model: model.id,
        params: wireParams(settings),
        finishReason: r.value.finishReason,
      });
    }
  }

  /** Runs a /command; returns false to leave. */
  private command(line: string): boolean {
    const [name, ...args] = line.split(/\s+/);
    const rest = line.slice(name.length).trim();
    const say = (s: string) => this.o.output.write(s + '\n');
    switch (name) {
      case '/bye':
      case '/exit':
        return false;
      case '/help':
      case '/?':
        this.o.output.write(HELP);
        break;
      case '/system':
        if (!rest) {
          say(`system prompt: ${this.messages[0]?.role === 'system' ? this.messages[0].content : '(none)'}`);
          break;
        }
        this.messages = [{ role: 'system', content: rest }];
        this.conversationId = undefined;
        say('system prompt set; new conversation.');
        break;
      case '/reset':
        this.messages = this.messages.filter((m) => m.role === 'system').slice(0, 1);
        this.conversationId = undefined;
        say('new conversation.');
        break;
      case '/set':
        say(this.set(args[0], args[1]));
        break;
      case '/show':
        say(
          Object.entries(wireParams(this.o.settings))
            .map(([k, v]) => `${k} ${v}`)
            .concat(this.o.settings.seed === undefined ? ['seed (random)'] : [])
            .join('\n'),
        );
        break;
      case '/save':
        say(this.save(rest));
        break;
      case '/load':
        say(this.load(rest));
        break;
      case '/list':
        say(
          this.o.history
            ? this.o.history
                .list()
                .slice(0, 20)
                .map((c) => `${c.id.slice(0, 8)}  ${c.title}`)
                .join('\n') || '(no conversations)'
            : 'no history store (started with --db none)',
        );
        break;
      default:
        say(`unknown command ${name}; /help lists them`);
    }
    return true;
  }

  private set(name: string | undefined, value: string | undefined): string {
    const p = name === undefined ? undefined : samplingParam(name);
    if (!p) return `usage: /set NAME VALUE, NAME one of ${SAMPLING_PARAMS.map((q) => q.name).join(', ')}`;
    const v = value === undefined || value.trim() === '' ? NaN : Number(value);
    const bad = samplingBoundsError(p, v);
    if (bad) return bad;
    this.o.settings[p.key] = v;
    return `${p.name} set to ${v}`;
  }

  private save(title: string): string {
    const { history } = this.o;
    if (!history) return 'no history store (started with --db none)';
    if (!title) return 'usage: /save TITLE';
    if (!this.conversationId) {
      this.conversationId = history.create({ title, model: this.o.model.id }).id;
      for (const m of this.messages) history.add(this.conversationId, m);
    }
    history.rename(this.conversationId, title);
    return `saved as "${title}" (${this.conversationId.slice(0, 8)})`;
  }

  private load(key: string): string {
    const { history } = this.o;
    if (!history) return 'no history store (started with --db none)';
    if (!key) return 'usage: /load TITLE|ID';
    const found = history
      .list()
      .find((c) => c.title === key || c.id === key || (key.length >= 4 && c.id.startsWith(key)));
    if (!found) return `no conversation "${key}"; /list shows them`;
    this.conversationId = found.id;
    this.messages = history.path(found.id).map((m) => ({ role: m.role, content: m.content }));
    return `loaded "${found.title}" (${this.messages.length} messages)`;
  }
}
