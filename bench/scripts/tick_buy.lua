-- Benchmark strategy: every tick becomes an intent (a limit buy of one share).
local S = { name = "tick_buy", params = {} }
function S.on_tick(ctx, t)
  ctx:buy(t.code, { qty = 1, price = t.price, reason = "bench" })
end
return S
