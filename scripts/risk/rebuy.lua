-- rebuy: vetoes buying a stock again on a day it was sold, by every strategy.
--
-- Sells are those of ctx:todays_sells() (every execution of a sell today,
-- whichever strategy sold). Sells are never vetoed. Modes:
--
--   all                  any sell of the stock today blocks buying it
--   loss_only            only a sell that realized a loss blocks it
--   same_condition_only  only a buy from the same source as the buy that was
--                        sold: the same strategy and, for condition_entry, the
--                        same formula (intent.condition)
--   cooldown             blocks it for cooldown_minutes after its last sell
--
-- same_condition_only remembers, per stock, the source of the last buy this
-- script let through today; a stock bought before the engine started has no
-- known source and is not blocked in that mode.
--
-- params
--   mode              all, loss_only, same_condition_only or cooldown
--   cooldown_minutes  the cooldown mode's wait after a sell
local R = {
  params = {
    mode = "all",
    cooldown_minutes = 30,
  },
}

local MODES = { all = true, loss_only = true, same_condition_only = true, cooldown = true }

local buyers = {}  -- code -> source of the last buy let through, on `day`
local day
local started     -- on_init ran to its end

function R.on_init(ctx, saved)
  local p = ctx.params
  assert(MODES[p.mode], string.format("mode must be all, loss_only, same_condition_only or cooldown, got %q", p.mode))
  assert(p.cooldown_minutes >= 0, "cooldown_minutes must be 0 or more, got " .. tostring(p.cooldown_minutes))
  if saved then buyers, day = saved.buyers, saved.day end
  started = true
end

-- A bad parameter raised in on_init: the host disables the script, which then refuses buys (sells pass).
function R.self_check() return started == true, "on_init failed (see the error before)" end

function R.on_reload() return { buyers = buyers, day = day } end

-- "condition_entry [golden cross]" or just the strategy's name.
-- The formula comes as intent.condition; the replacement of an order changed
-- with ctx:modify does not carry it yet (the engine rebuilds that intent from
-- the order), but its reason keeps "condition [<name>] ...".
local function source(intent)
  local formula = intent.condition or (intent.reason and intent.reason:match("^condition %[(.-)%]"))
  return formula and string.format("%s [%s]", intent.strategy, formula) or intent.strategy
end

-- The veto's reason for buying `intent.code`, or nil.
local function blocked(ctx, intent, sells)
  local p = ctx.params
  local mode = p.mode
  local last
  for _, s in ipairs(sells) do
    if mode == "loss_only" and s.realized < 0 then
      return string.format("%s was sold at a loss today (%d won)", intent.code, s.realized)
    end
    last = s
  end
  if not last then return nil end
  if mode == "all" then
    return string.format("%s was sold today", intent.code)
  elseif mode == "same_condition_only" then
    local src = source(intent)
    if buyers[intent.code] == src then return string.format("%s was bought by %s and sold today", intent.code, src) end
  elseif mode == "cooldown" then
    local since = ctx:now().epoch - last.time
    if since < p.cooldown_minutes * 60 then
      return string.format("%s was sold %d min ago (cooldown %d min)", intent.code, math.floor(since / 60),
                           p.cooldown_minutes)
    end
  end
  return nil
end

function R.check(ctx, intent)
  if intent.side ~= "buy" then return true end
  local now = ctx:now()
  if now.date ~= day then buyers, day = {}, now.date end
  local why = blocked(ctx, intent, ctx:todays_sells(intent.code))
  if why then return false, why end
  buyers[intent.code] = source(intent)
  return true
end

return R
