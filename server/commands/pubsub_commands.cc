// Pub/sub commands (pubsub.c): (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB.
// The registry and the delivery path are in server/pubsub.h.
#include "server/cmd_context.h"
#include "server/commands/common.h"
#include "server/commands/help.h"

namespace baozi {
namespace {

void SubscribeGeneric(CmdContext& ctx, PubSub::Kind kind) {
  // A client that expects one reply per command (a script) cannot subscribe; inside EXEC,
  // SUBSCRIBE and PSUBSCRIBE stay allowed for backward compatibility, SSUBSCRIBE does not.
  const Client& c = ctx.client();
  if (c.Has(kClientDenyBlocking) && (kind == PubSub::kShard || !c.Has(kClientMulti))) {
    constexpr std::string_view kNames[] = {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"};
    return ctx.SendError(std::string(kNames[kind]) + " isn't allowed for a DENY BLOCKING client");
  }
  PubSub& ps = ctx.server().pubsub();
  for (size_t i = 1; i < ctx.argc(); ++i) {
    ps.Subscribe(ctx.client(), kind, ctx.arg(i));
    PubSub::ReplySubscribed(ctx.client(), kind, ctx.arg(i));
  }
}

void UnsubscribeGeneric(CmdContext& ctx, PubSub::Kind kind) {
  PubSub& ps = ctx.server().pubsub();
  Client& c = ctx.client();
  if (ctx.argc() == 1) {
    // Every subscription of this kind, one frame each; a frame with a null name when none.
    std::vector<std::string> names = ps.Subscriptions(c, kind);
    for (const std::string& name : names) {
      ps.Unsubscribe(c, kind, name);
      PubSub::ReplyUnsubscribed(c, kind, &name);
    }
    if (names.empty()) PubSub::ReplyUnsubscribed(c, kind, nullptr);
    return;
  }
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string name(ctx.arg(i));
    ps.Unsubscribe(c, kind, name);
    PubSub::ReplyUnsubscribed(c, kind, &name);
  }
}

// SUBSCRIBE channel [channel ...]
void CmdSubscribe(CmdContext& ctx) { SubscribeGeneric(ctx, PubSub::kChannel); }
// PSUBSCRIBE pattern [pattern ...]
void CmdPSubscribe(CmdContext& ctx) { SubscribeGeneric(ctx, PubSub::kPattern); }
// SSUBSCRIBE shardchannel [shardchannel ...]
void CmdSSubscribe(CmdContext& ctx) { SubscribeGeneric(ctx, PubSub::kShard); }
// UNSUBSCRIBE [channel ...]
void CmdUnsubscribe(CmdContext& ctx) { UnsubscribeGeneric(ctx, PubSub::kChannel); }
// PUNSUBSCRIBE [pattern ...]
void CmdPUnsubscribe(CmdContext& ctx) { UnsubscribeGeneric(ctx, PubSub::kPattern); }
// SUNSUBSCRIBE [shardchannel ...]
void CmdSUnsubscribe(CmdContext& ctx) { UnsubscribeGeneric(ctx, PubSub::kShard); }

// PUBLISH channel message
void CmdPublish(CmdContext& ctx) {
  ctx.rb().SendLong(ctx.server().pubsub().Publish(ctx.arg(1), ctx.arg(2)));
}

// SPUBLISH shardchannel message
void CmdSPublish(CmdContext& ctx) {
  ctx.rb().SendLong(ctx.server().pubsub().PublishShard(ctx.arg(1), ctx.arg(2)));
}

// PUBSUB CHANNELS|SHARDCHANNELS [pattern]: Redis checks this arity by hand, with its own error.
void ChannelsGeneric(CmdContext& ctx, PubSub::Kind kind) {
  if (ctx.argc() > 3) {
    return ctx.SendError("unknown subcommand or wrong number of arguments for '" +
                         std::string(ctx.arg(1)) + "'. Try PUBSUB HELP.");
  }
  std::vector<std::string_view> names =
      ctx.server().pubsub().Names(kind, ctx.argc() == 3 ? ctx.arg(2) : std::string_view());
  ctx.rb().StartArray(names.size());
  for (std::string_view n : names) ctx.rb().SendBulk(n);
}

void NumsubGeneric(CmdContext& ctx, PubSub::Kind kind) {
  // A flat array of (channel, count) pairs in RESP3 as well, as Redis 7.0 replies.
  ctx.rb().StartArray((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.rb().SendBulk(ctx.arg(i));
    ctx.rb().SendLong(static_cast<int64_t>(ctx.server().pubsub().Subscribers(kind, ctx.arg(i))));
  }
}

// PUBSUB CHANNELS [pattern]
void CmdPubsubChannels(CmdContext& ctx) { ChannelsGeneric(ctx, PubSub::kChannel); }
// PUBSUB SHARDCHANNELS [pattern]
void CmdPubsubShardChannels(CmdContext& ctx) { ChannelsGeneric(ctx, PubSub::kShard); }
// PUBSUB NUMSUB [channel ...]
void CmdPubsubNumsub(CmdContext& ctx) { NumsubGeneric(ctx, PubSub::kChannel); }
// PUBSUB SHARDNUMSUB [shardchannel ...]
void CmdPubsubShardNumsub(CmdContext& ctx) { NumsubGeneric(ctx, PubSub::kShard); }
// PUBSUB NUMPAT: distinct patterns with at least one subscriber.
void CmdPubsubNumpat(CmdContext& ctx) {
  ctx.rb().SendLong(static_cast<int64_t>(ctx.server().pubsub().Count(PubSub::kPattern)));
}

// PUBSUB HELP.
void CmdPubsubHelp(CmdContext& ctx) {
  SendHelp(ctx, {
                    "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "CHANNELS [<pattern>]",
                    "    Return the currently active channels matching a <pattern> (default: '*').",
                    "NUMPAT",
                    "    Return number of subscriptions to patterns.",
                    "NUMSUB [<channel> ...]",
                    "    Return the number of subscribers for the specified channels, excluding",
                    "    pattern subscriptions(default: no channels).",
                    "SHARDCHANNELS [<pattern>]",
                    "    Return the currently active shard level channels matching a <pattern> "
                    "(default: '*').",
                    "SHARDNUMSUB [<shardchannel> ...]",
                    "    Return the number of subscribers for the specified shard level channel(s)",
                });
}

}  // namespace

void RegisterPubSubCommands(CommandRegistry& r) {
  constexpr uint32_t kSub = kPubSub | kNoScript | kLoading | kStale;
  r.Add({"subscribe", -2, kSub, {}, CmdSubscribe, "pubsub"});
  r.Add({"unsubscribe", -1, kSub, {}, CmdUnsubscribe, "pubsub"});
  r.Add({"psubscribe", -2, kSub, {}, CmdPSubscribe, "pubsub"});
  r.Add({"punsubscribe", -1, kSub, {}, CmdPUnsubscribe, "pubsub"});
  r.Add({"ssubscribe", -2, kSub, {1, -1, 1}, CmdSSubscribe, "pubsub"});
  r.Add({"sunsubscribe", -1, kSub, {1, -1, 1}, CmdSUnsubscribe, "pubsub"});
  // may-replicate (which Redis 7.0's COMMAND INFO does not print): CLIENT PAUSE WRITE holds
  // publishing, as in Redis.
  r.Add({"publish",
         3,
         kPubSub | kLoading | kStale | kFast | kMayReplicate,
         {},
         CmdPublish,
         "pubsub"});
  r.Add({"spublish",
         3,
         kPubSub | kLoading | kStale | kFast | kMayReplicate,
         {1, 1, 1},
         CmdSPublish,
         "pubsub"});
  Command* pubsub = r.Add({"pubsub", -2, 0, {}, CmdContainer, "pubsub"});
  constexpr uint32_t kIntro = kPubSub | kLoading | kStale;
  pubsub->AddSubcommand({"channels", -2, kIntro, {}, CmdPubsubChannels, "pubsub"});
  pubsub->AddSubcommand({"shardchannels", -2, kIntro, {}, CmdPubsubShardChannels, "pubsub"});
  pubsub->AddSubcommand({"numsub", -2, kIntro, {}, CmdPubsubNumsub, "pubsub"});
  pubsub->AddSubcommand({"shardnumsub", -2, kIntro, {}, CmdPubsubShardNumsub, "pubsub"});
  pubsub->AddSubcommand({"numpat", 2, kIntro, {}, CmdPubsubNumpat, "pubsub"});
  pubsub->AddSubcommand({"help", 2, kLoading | kStale, {}, CmdPubsubHelp, "pubsub"});
}

}  // namespace baozi
