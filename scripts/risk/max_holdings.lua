-- max_holdings: vetoes a buy that would make more than `max` stocks held.
--
-- Counted: stocks held plus stocks with an open buy order not held yet, over
-- every strategy. A buy of a stock already counted (adding to a holding, or a
-- second order for it) adds no stock and is let through. Sells are never
-- vetoed. The engine's risk.max_open_positions still applies on top; this
-- script is the one to tune per setup (and to keep lower than that limit).
--
-- params
--   max  stocks held or being bought, at most
local R = {
  params = {
    max = 3,
  },
}

local started  -- on_init ran to its end

function R.on_init(ctx)
  assert(ctx.params.max >= 1, "max must be at least 1, got " .. tostring(ctx.params.max))
  started = true
end

-- A bad parameter raised in on_init: the host disables the script, which then refuses buys (sells pass).
function R.self_check() return started == true, "on_init failed (see the error before)" end

function R.check(ctx, intent)
  if intent.side ~= "buy" then return true end
  if ctx:position(intent.code) then return true end
  local counted = {}  -- code -> true
  local n = 0
  for _, pos in ipairs(ctx:positions()) do
    if not counted[pos.code] then counted[pos.code], n = true, n + 1 end
  end
  for _, o in ipairs(ctx:open_orders()) do
    if o.side == "buy" and not counted[o.code] then counted[o.code], n = true, n + 1 end
  end
  if counted[intent.code] then return true end
  if n >= ctx.params.max then
    return false, string.format("%d stocks held or being bought (max %d)", n, ctx.params.max)
  end
  return true
end

return R
