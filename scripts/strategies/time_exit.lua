-- time_exit: sells a whole holding, at market, once it has been held
-- max_minutes since its first buy, whatever its price.
--
-- Every holding of the account is watched, whichever strategy bought it. The
-- holding time is the engine clock minus the holding's opening time, so a
-- holding carried over from an earlier day is sold at the first check. Checked
-- on every bar of the held stock and on a timer every check_seconds, so a stock
-- that stops trading is still sold on time.
--
-- params
--   max_minutes    sell once held this many minutes (or more)
--   check_seconds  how often the timer looks at every holding
local S = {
  name = "time_exit",
  params = {
    max_minutes = 30,
    check_seconds = 10,
  },
}

local pending = {}  -- code -> id of our sell still working

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local p = ctx.params
  assert(p.max_minutes > 0, "max_minutes must be positive, got " .. tostring(p.max_minutes))
  assert(p.check_seconds >= 1, "check_seconds must be at least 1, got " .. tostring(p.check_seconds))
  if saved then pending = saved.pending end
  ctx:every(p.check_seconds, "holdings")
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

local function check(ctx, pos, now)
  if pending[pos.code] or not pos.opened then return end
  local held = (now - pos.opened) / 60
  if held < ctx.params.max_minutes then return end
  local reason = string.format("held %d min", math.floor(held))
  local id, veto = ctx:sell(pos.code, { reason = reason })
  if id then
    pending[pos.code] = id
  else
    ctx:log("%s: %s, sell refused: %s", pos.code, reason, veto)
  end
end

function S.on_bar(ctx, bar)
  local pos = ctx:position(bar.code)
  if pos then check(ctx, pos, ctx:now().epoch) end
end

function S.on_timer(ctx)
  local now = ctx:now().epoch
  for _, pos in ipairs(ctx:positions()) do check(ctx, pos, now) end
end

function S.on_order(ctx, o)
  if pending[o.code] == o.id and (o.status == "filled" or o.status == "cancelled" or o.status == "rejected") then
    pending[o.code] = nil
  end
end

function S.on_reload() return { pending = pending } end

return S
