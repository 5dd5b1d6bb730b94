-- churn: a test strategy that trades all the time, to exercise the live path
-- (orders, fills, restarts) rather than to make money. On each trade print of
-- one of the first `codes` codes it sees: buys `qty` shares at market when it
-- holds none and has no order working for the code, and sells them all once
-- it has held them for `hold_ticks` prints.
local S = {
  name = "churn",
  params = { qty = 3, hold_ticks = 5, codes = 3 },
}

local known = {}    -- code -> true for the codes it trades
local count = 0
local held_for = {} -- code -> prints seen while holding

local function working(ctx, code)
  for _, o in ipairs(ctx:open_orders()) do
    if o.code == code then return true end
  end
  return false
end

function S.on_tick(ctx, t)
  if not known[t.code] then
    if count >= ctx.params.codes then return end
    known[t.code] = true
    count = count + 1
  end
  if working(ctx, t.code) then return end
  local pos = ctx:position(t.code)
  if not pos then
    held_for[t.code] = 0
    ctx:buy(t.code, { qty = ctx.params.qty, reason = "churn entry" })
    return
  end
  held_for[t.code] = (held_for[t.code] or 0) + 1
  if held_for[t.code] >= ctx.params.hold_ticks then
    ctx:sell(t.code, { reason = "churn exit" })
  end
end

return S
