// Starts telegram-test-api on 127.0.0.1:<port> with the fixes python-telegram-bot 22 needs.
// Known gaps of 4.2.1 patched here: getMe lacks is_bot; bot message dates are in
// milliseconds; callback updates lack chat_instance; editMessageText/answerCallbackQuery
// return null; setMyCommands, sendDocument are unknown; getUpdates ignores offset/timeout.
// Test-only routes under /test/ let the tests inspect and provoke things (429, redelivery).
// Webhook mode as Telegram does it: the update ids are unique even when users write at
// once (4.2.1 numbers an update only after its webhook call returns), the secret_token
// given to setWebhook comes back in X-Telegram-Bot-Api-Secret-Token, and a failed call is
// retried (Telegram redelivers until it gets a 2xx) instead of crashing node.
'use strict';
const express = require('express');
const routesModule = require('telegram-test-api/lib/routes/index');
const { TelegramServer } = require('telegram-test-api/lib/telegramServer');

const port = Number(process.argv[2] || 9000);
const commands = {};      // token -> chat id -> commands
const documents = [];     // documents the bot sent
let throttle = {};        // token -> number of sends still to refuse with 429
const blocked = new Set(); // chat ids whose user blocked the bot (403)
let confirmedOffset = {}; // token -> highest update id the bot confirmed

const seconds = (ms) => Math.floor(ms / 1000);
const origFormat = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = origFormat(update);
  if (formatted.callback_query) {
    formatted.callback_query.chat_instance = String(formatted.callback_query.from.id);
    const msg = formatted.callback_query.message;
    if (msg && msg.date > 1e11) msg.date = seconds(msg.date);
  }
  return formatted;
};
const origAddBot = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessage(raw, token) {
  const msg = origAddBot.call(this, raw, token);
  msg.date = seconds(msg.date);
  msg.from = { id: 666, is_bot: true, first_name: 'Sổ điểm', username: 'SoDiemBot' };
  chatChanged(token, raw.chat_id, this.storage.botMessages[this.storage.botMessages.length - 1]);
  return msg;
};

// Per chat: the bot's messages and how many edits they had, and who waits for a change
// (/test/waitChat): many simulated users wait without scanning every message.
const chats = {};  // `${token}:${chat}` -> { updates: [], edits: 0, waiters: [] }
function chatOf(token, chatId) {
  const key = `${token}:${chatId}`;
  chats[key] = chats[key] || { updates: [], edits: 0, waiters: [] };
  return chats[key];
}
function chatChanged(token, chatId, update, edited) {
  const chat = chatOf(token, String(chatId));
  if (update && !edited) chat.updates.push(update);
  if (edited) chat.edits += 1;
  const waiting = chat.waiters;
  chat.waiters = [];
  waiting.forEach((wake) => wake());
}

const webhookCalls = [];  // {update_id, kind, started, finished, status, tries}
const WEBHOOK_TRIES = 20;

TelegramServer.prototype.getCommonFields = function getCommonFields(botToken) {
  const update = { time: Date.now(), botToken, updateId: this.updateId, messageId: this.messageId,
    isRead: false };
  this.updateId += 1;
  this.messageId += 1;
  return update;
};

TelegramServer.prototype.addUserUpdate = async function addUserUpdate(update) {
  const webhook = this.webhooks[update.botToken];
  if (!webhook) {
    this.storage.userMessages.push(update);
    return;
  }
  const body = TelegramServer.formatUpdate(update);
  const call = { update_id: update.updateId, kind: update.callbackQuery ? 'callback' : 'message',
    started: Date.now(), finished: null, status: null, tries: 0 };
  webhookCalls.push(call);
  const headers = webhook.secret_token
    ? { 'X-Telegram-Bot-Api-Secret-Token': webhook.secret_token } : {};
  while (call.tries < WEBHOOK_TRIES) {
    call.tries += 1;
    try {
      const resp = await fetch(webhook.url, { method: 'POST', headers: {
        'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
      call.status = resp.status;
      if (resp.status < 300) break;
    } catch (error) {
      call.status = String(error.cause ? error.cause.code || error.cause : error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  call.finished = Date.now();
};

function botMessage(server, body) {
  return server.storage.botMessages.find((u) => String(u.messageId) === String(body.message_id)
    && String(u.message.chat_id) === String(body.chat_id));
}

function formatted(update) {
  const m = update.message;
  return { ...m, message_id: update.messageId, date: seconds(update.time),
    chat: { id: Number(m.chat_id), type: 'private', first_name: 'Bot' },
    from: { id: 666, is_bot: true, first_name: 'Sổ điểm' } };
}

function tooMany(token, res) {
  if ((throttle[token] || 0) > 0) {
    throttle[token] -= 1;
    res.status(429).json({ ok: false, error_code: 429,
      description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    return true;
  }
  return false;
}

function patches(app, server) {
  const ok = (res, result) => res.json({ ok: true, result });
  app.all('/bot:token/getMe', (req, res) => ok(res, { id: 666, is_bot: true,
    first_name: 'Sổ điểm', username: 'SoDiemBot', can_join_groups: false,
    can_read_all_group_messages: false, supports_inline_queries: false }));
  // Like Telegram: an update is returned until a later call confirms it with a higher
  // offset, so a poll cut short by a restart loses nothing.
  app.all('/bot:token/getUpdates', express.json(), express.urlencoded({ extended: true }),
    async (req, res) => {
      const token = req.params.token;
      const body = { ...req.query, ...req.body };
      const offset = Number(body.offset || 0);
      confirmedOffset[token] = Math.max(confirmedOffset[token] || 0, offset);
      const timeout = Math.min(Number(body.timeout || 0), 5) * 1000;
      const started = Date.now();
      const pending = () => server.storage.userMessages.filter((u) => u.botToken === token
        && (u.updateId >= confirmedOffset[token] || u.redeliver));
      while (pending().length === 0 && Date.now() - started < timeout) {
        await new Promise((r) => setTimeout(r, 25));
      }
      const updates = pending();
      updates.forEach((u) => { u.redeliver = false; u.isRead = true; });
      ok(res, updates.map((u) => TelegramServer.formatUpdate(u)));
    });
  app.all('/bot:token/sendMessage', express.json(), express.urlencoded({ extended: true }),
    (req, res) => {
      if (tooMany(req.params.token, res)) return;
      if (blocked.has(String(req.body.chat_id))) {
        res.status(403).json({ ok: false, error_code: 403,
          description: 'Forbidden: bot was blocked by the user' });
        return;
      }
      ok(res, server.addBotMessage(req.body, req.params.token));
    });
  app.all('/bot:token/editMessageText', express.json(), express.urlencoded({ extended: true }),
    (req, res) => {
      const body = TelegramServer.normalizeMessage(req.body);
      const update = botMessage(server, body);
      if (!update) return res.status(400).json({ ok: false, error_code: 400,
        description: 'Bad Request: message to edit not found' });
      update.message = { ...update.message, text: body.text,
        reply_markup: body.reply_markup || undefined };
      update.edited = (update.edited || 0) + 1;
      chatChanged(req.params.token, body.chat_id, update, true);
      ok(res, formatted(update));
    });
  app.all('/bot:token/editMessageReplyMarkup', express.json(), (req, res) => {
    const body = TelegramServer.normalizeMessage(req.body);
    const update = botMessage(server, body);
    if (update) update.message = { ...update.message, reply_markup: body.reply_markup };
    ok(res, update ? formatted(update) : true);
  });
  app.all('/bot:token/answerCallbackQuery', (req, res) => ok(res, true));
  app.all('/bot:token/setMyCommands', express.json(), (req, res) => {
    const scope = typeof req.body.scope === 'string' ? JSON.parse(req.body.scope) : req.body.scope;
    const cmds = typeof req.body.commands === 'string' ? JSON.parse(req.body.commands)
      : req.body.commands;
    commands[req.params.token] = commands[req.params.token] || {};
    commands[req.params.token][scope && scope.chat_id ? scope.chat_id : 'default'] = cmds;
    ok(res, true);
  });
  app.all('/bot:token/setWebhook', express.json(), express.urlencoded({ extended: true }),
    (req, res) => {
      const body = { ...req.query, ...req.body };
      server.setWebhook({ url: body.url, secret_token: body.secret_token || '' },
        req.params.token);
      ok(res, true);
    });
  app.all('/bot:token/deleteWebhook', (req, res) => {
    server.deleteWebhook(req.params.token);
    ok(res, true);
  });
  app.all('/bot:token/deleteMyCommands', (req, res) => ok(res, true));
  app.all('/bot:token/sendDocument', express.raw({ type: '*/*', limit: '50mb' }), (req, res) => {
    const raw = req.body.toString('latin1');
    const chat = /name="chat_id"\r\n\r\n([^\r]+)/.exec(raw);
    const file = /filename="([^"]+)"/.exec(raw);
    const caption = /name="caption"\r\n\r\n([^\r]*)/.exec(raw);
    const doc = { chat_id: chat ? chat[1] : null, file_name: file ? file[1] : null,
      caption: caption ? Buffer.from(caption[1], 'latin1').toString('utf8') : '',
      size: req.body.length };
    documents.push(doc);
    const msg = server.addBotMessage({ chat_id: doc.chat_id, text: '', caption: doc.caption,
      document: { file_id: `f${documents.length}`, file_unique_id: `u${documents.length}`,
        file_name: doc.file_name } }, req.params.token);
    ok(res, msg);
  });
  app.all('/bot:token/sendPhoto', express.raw({ type: '*/*', limit: '20mb' }), (req, res) => {
    const raw = req.body.toString('latin1');
    const chat = /name="chat_id"\r\n\r\n([^\r]+)/.exec(raw);
    const png = raw.indexOf('\x89PNG') >= 0;
    documents.push({ chat_id: chat ? chat[1] : null, photo: true, png, size: req.body.length });
    ok(res, server.addBotMessage({ chat_id: chat ? chat[1] : null, text: '', photo: [{
      file_id: `p${documents.length}`, file_unique_id: `q${documents.length}`, width: 760,
      height: 400 }] }, req.params.token));
  });
  // ---- test-only routes ----
  app.post('/test/commands', express.json(), (req, res) => ok(res, commands[req.body.token] || {}));
  app.post('/test/documents', (req, res) => ok(res, documents));
  app.post('/test/throttle', express.json(), (req, res) => {
    throttle[req.body.token] = Number(req.body.count || 0);
    ok(res, true);
  });
  app.post('/test/block', express.json(), (req, res) => {
    blocked.add(String(req.body.chat_id));
    ok(res, true);
  });
  app.post('/test/redeliver', express.json(), (req, res) => {
    const update = server.storage.userMessages.find((u) => u.updateId === Number(req.body.update_id));
    if (update) update.redeliver = true;
    ok(res, Boolean(update));
  });
  // Answers when the chat has more than `count` bot messages or more than `edits` edits
  // (or after `timeout` ms), with the chat's messages.
  app.post('/test/waitChat', express.json(), async (req, res) => {
    const chat = chatOf(req.body.token, String(req.body.chat_id));
    const changed = () => chat.updates.length > Number(req.body.count || 0)
      || chat.edits > Number(req.body.edits || 0);
    const deadline = Date.now() + Number(req.body.timeout || 10000);
    while (!changed() && Date.now() < deadline) {
      await new Promise((wake) => {
        chat.waiters.push(wake);
        setTimeout(wake, Math.max(1, deadline - Date.now()));
      });
    }
    ok(res, { edits: chat.edits, messages: chat.updates.map((u) => ({ ...formatted(u),
      edited: u.edited || 0 })) });
  });
  app.post('/test/webhookCalls', (req, res) => ok(res, webhookCalls));
  // When each message reached the "Telegram servers", in milliseconds: send rates.
  app.post('/test/botSends', express.json(), (req, res) => ok(res,
    server.storage.botMessages.filter((u) => u.botToken === req.body.token)
      .map((u) => ({ chat_id: String(u.message.chat_id), time: u.time,
        text: String(u.message.text || '').slice(0, 60) }))));
  app.post('/test/botMessages', express.json(), (req, res) => ok(res,
    server.storage.botMessages.filter((u) => u.botToken === req.body.token)
      .map((u) => ({ ...formatted(u), edited: u.edited || 0 }))));
}

routesModule.routes.unshift(patches);
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });
server.start().then(() => console.log(`emulator listening on ${port}`));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
