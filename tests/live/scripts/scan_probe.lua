-- scan_probe: a test strategy for rankings in a live run. Subscribes to the
-- day's volume-top ranking and buys one share of its first item, once.
local S = { name = "scan_probe", params = {} }

local bought = false

function S.on_init(ctx) ctx:subscribe{ scans = { "volume_top" } } end

function S.on_scan(ctx, scan)
  if bought or scan.kind ~= "volume_top" or #scan.items == 0 then return end
  local top = scan.items[1]
  assert(top.rank == 1, "the first item ranks first")
  bought = ctx:buy(top.code, { qty = 1, reason = "top of volume_top, rank " .. top.rank }) ~= nil
end

return S
