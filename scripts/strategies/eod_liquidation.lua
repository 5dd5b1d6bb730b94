-- eod_liquidation: a switch that sells every holding of the account, at market,
-- from a configured time before the close, so nothing is carried overnight.
--
-- From `at` (KST) on, every holding is sold on the next event: a timer every 10
-- seconds, any bar, or the session's "closing" phase. A sell that ends
-- cancelled or rejected is tried again on a later event, at most `attempts`
-- times per stock and day, so a stock that cannot be sold is not hammered.
--
-- params
--   enabled   the switch: false does nothing at all
--   at        KST "HH:MM" from which everything is sold; keep it before the
--             closing auction (15:20) so the orders can still trade
--   attempts  sells per stock and day before giving up (the log says so)
local S = {
  name = "eod_liquidation",
  params = {
    enabled = true,
    at = "15:15",
    attempts = 3,
  },
}

local at             -- `at` as HHMM, 1515
local pending = {}   -- code -> id of our sell still working
local tries = {}     -- code -> sells asked for today
local today          -- the date `tries` counts for

local function hhmm(text, key)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  assert(h and tonumber(h) < 24 and tonumber(m) < 60, key .. " must be HH:MM, got " .. tostring(text))
  return tonumber(h) * 100 + tonumber(m)
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  at = hhmm(ctx.params.at, "at")
  assert(ctx.params.attempts >= 1, "attempts must be at least 1, got " .. tostring(ctx.params.attempts))
  if saved then pending, tries, today = saved.pending, saved.tries, saved.today end
  if ctx.params.enabled then ctx:every(10, "liquidate") end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

local function liquidate(ctx)
  if not ctx.params.enabled then return end
  local now = ctx:now()
  if now.date ~= today then tries, today = {}, now.date end
  if now.hhmm < at then return end
  for _, pos in ipairs(ctx:positions()) do
    local code, n = pos.code, tries[pos.code] or 0
    if pending[code] then
      -- the sell asked for is still working
    elseif n < ctx.params.attempts then
      tries[code] = n + 1
      local id, veto = ctx:sell(code, { reason = "end of day " .. ctx.params.at })
      if id then
        pending[code] = id
      else
        ctx:log("%s: end-of-day sell refused: %s", code, veto)
      end
    elseif n == ctx.params.attempts then
      ctx:log("%s: giving up after %d attempts; the holding stays", code, n)
      tries[code] = n + 1  -- said once
    end
  end
end

function S.on_timer(ctx) liquidate(ctx) end
function S.on_bar(ctx) liquidate(ctx) end
function S.on_session(ctx, phase)
  if phase == "closing" then liquidate(ctx) end
end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_reload() return { pending = pending, tries = tries, today = today } end

return S
