-- condition_entry: buys a stock when a condition-search formula (조건검색식)
-- reports it entering (편입), with each formula's own time window, size and
-- order type; never twice for the same stock on the same day.
--
-- `formulas` lists the formulas to act on, separated by ";". Each is a name,
-- then optionally ": " and settings separated by blanks; a setting left out takes
-- the default from the params below:
--
--   "golden cross: 09:00-10:30 amount=500000 ticks=1; volume spike: qty=10 market"
--
--   HH:MM-HH:MM  KST window: events from the first time up to (not at) the second
--   amount=N     won to spend, or
--   qty=N        shares to buy
--   market       a market order, or
--   ticks=N      a limit N ticks from the last price (1 = a tick above, -1 below)
--
-- The strategy subscribes to the formulas listed (ctx:subscribe) and matches
-- events by their name (ev.condition). The reason of each buy is
-- "condition [<name>] entered", and each intent carries the formula as
-- `condition`, which the risk scripts rebuy (same_condition_only) and
-- per_condition_window read.
--
-- A buy is skipped (and logged) when the stock is held, already bought today
-- (an order that ended without any fill does not count), outside the window,
-- when max_holdings stocks are held or being bought, or when cash minus our
-- working buys does not cover it (for qty, at the last price; not checked
-- before the stock has traded).
--
-- params
--   formulas      the formulas and their settings, as above
--   first_entry   default window start, KST "HH:MM"
--   last_entry    default window end (exclusive)
--   amount        default won per buy (used when qty is 0)
--   qty           default shares per buy; 0 = buy by amount
--   price         default order: "market" or "ticks=N"
--   max_holdings  stocks held plus stocks being bought, at most
--   sell_on_exit  sell, at market, what a formula bought when it reports the
--                 stock leaving (편출)
local S = {
  name = "condition_entry",
  params = {
    formulas = "",
    first_entry = "09:00",
    last_entry = "15:00",
    amount = 500000,
    qty = 0,
    price = "market",
    max_holdings = 5,
    sell_on_exit = false,
  },
}

local rules         -- formula name -> { first, last, amount, qty, ticks }
local pending = {}  -- code -> { id, side, cost = won held back for a buy }
local bought = {}   -- code -> true once a buy was asked for today
local today         -- the date `bought` is for
local owner = {}    -- code -> formula whose buy filled, while held

local function hhmm(text, what)
  local h, m = tostring(text):match("^(%d%d):(%d%d)$")
  if not (h and tonumber(h) < 24 and tonumber(m) < 60) then
    error(string.format("%s: expected HH:MM, got %q", what, tostring(text)), 0)
  end
  return tonumber(h) * 100 + tonumber(m)
end

local function whole(text, what, min)
  local n = tonumber(text)
  if not n or n % 1 ~= 0 or n < min then
    error(string.format("%s: expected a whole number >= %d, got %q", what, min, tostring(text)), 0)
  end
  return n
end

-- Applies one setting word to `rule`; `where` names it in errors.
local function apply(rule, word, where)
  local a, b = word:match("^(%d%d:%d%d)%-(%d%d:%d%d)$")
  local key, value = word:match("^(%a+)=(.+)$")
  if a then
    rule.first, rule.last = hhmm(a, where), hhmm(b, where)
  elseif word == "market" then
    rule.ticks = nil
  elseif key == "ticks" then
    local n = tonumber(value)
    if not n or n % 1 ~= 0 or n < -1000 or n > 1000 then
      error(string.format("%s: ticks must be a whole number from -1000 to 1000, got %q", where, value), 0)
    end
    rule.ticks = n
  elseif key == "amount" then
    rule.amount, rule.qty = whole(value, where, 1), 0
  elseif key == "qty" then
    rule.qty = whole(value, where, 1)
  else
    error(string.format("%s: unknown setting %q (expected HH:MM-HH:MM, amount=N, qty=N, market or ticks=N)",
                        where, word), 0)
  end
end

local function parse_rules(p)
  local default = { first = hhmm(p.first_entry, "first_entry"), last = hhmm(p.last_entry, "last_entry"),
                    amount = whole(p.amount, "amount", 1), qty = whole(p.qty, "qty", 0) }
  apply(default, p.price, "price")
  local parsed, names = {}, {}
  for entry in (p.formulas .. ";"):gmatch("([^;]*);") do
    local name, settings = entry:match("^%s*(.-)%s*:%s+(.-)%s*$")
    if not name then name, settings = entry:match("^%s*(.-)%s*:?%s*$"), "" end
    if name:find("=", 1, true) or name:find("%d%d:%d%d%-") then
      error(string.format("formulas: %q: put a blank after the name's colon", entry), 0)
    elseif name ~= "" then
      if parsed[name] then error(string.format("formulas: %q is listed twice", name), 0) end
      local rule = { first = default.first, last = default.last, amount = default.amount, qty = default.qty,
                     ticks = default.ticks }
      for word in settings:gmatch("%S+") do apply(rule, word, string.format("formulas: %s", name)) end
      if rule.first >= rule.last then
        error(string.format("formulas: %s: the window must start before it ends", name), 0)
      end
      parsed[name] = rule
      names[#names + 1] = name
    elseif entry:match("%S") then
      error(string.format("formulas: %q has no name", entry), 0)
    end
  end
  return parsed, names
end

local started  -- on_init ran to its end

function S.on_init(ctx, saved)
  local ok, parsed, names = pcall(parse_rules, ctx.params)
  if not ok then error("params: " .. parsed) end
  assert(ctx.params.max_holdings >= 1, "max_holdings must be at least 1")
  rules = parsed
  ctx:subscribe({ conditions = names })
  if #names == 0 then ctx:log("no formulas listed: nothing to do") end
  if saved then pending, bought, today, owner = saved.pending, saved.bought, saved.today, saved.owner end
  started = true
end

-- A bad parameter raised in on_init: the host disables the strategy.
function S.self_check() return started == true, "on_init failed (see the error before)" end

-- Stocks held plus stocks we are buying that are not held yet, and the won
-- our working buys hold back.
local function commitments(ctx)
  local holdings, working = 0, 0
  for _, pos in ipairs(ctx:positions()) do
    if pos.qty > 0 then holdings = holdings + 1 end
  end
  for code, order in pairs(pending) do
    if order.side == "buy" then
      working = working + order.cost
      if not ctx:position(code) then holdings = holdings + 1 end
    end
  end
  return holdings, working
end

local function enter(ctx, code, name, rule)
  local now = ctx:now()
  if now.date ~= today then bought, today = {}, now.date end
  local why
  if now.hhmm < rule.first or now.hhmm >= rule.last then
    why = string.format("outside %04d-%04d", rule.first, rule.last)
  elseif bought[code] then
    why = "bought today already"
  elseif pending[code] or ctx:position(code) then
    why = "held or an order works"
  end
  local cost = rule.qty > 0 and rule.qty * (ctx:last(code) or 0) or rule.amount
  if not why then
    local holdings, working = commitments(ctx)
    if holdings >= ctx.params.max_holdings then
      why = string.format("%d stocks held or being bought", holdings)
    elseif ctx:cash() - working < cost then
      why = string.format("cash %d (less %d for working buys) is short of %d", ctx:cash(), working, cost)
    end
  end
  if why then
    ctx:log("%s entered %s: no buy, %s", code, name, why)
    return
  end

  local opts = { reason = string.format("condition [%s] entered", name), condition = name, ticks = rule.ticks }
  if rule.qty > 0 then opts.qty = rule.qty else opts.amount = rule.amount end
  local id, veto = ctx:buy(code, opts)
  if id then
    pending[code] = { id = id, side = "buy", cost = cost, formula = name }
    bought[code] = true
  else
    ctx:log("%s entered %s: buy refused: %s", code, name, veto)
  end
end

function S.on_condition(ctx, ev)
  local name = ev.condition and tostring(ev.condition)
  if not (name and ev.code) then return end
  if ev.kind == "enter" then
    local rule = rules[name]
    if rule then enter(ctx, ev.code, name, rule) end
  elseif ev.kind == "exit" and ctx.params.sell_on_exit and owner[ev.code] == name and not pending[ev.code] then
    if not ctx:position(ev.code) then
      owner[ev.code] = nil  -- sold meanwhile by someone else
      return
    end
    local id, veto = ctx:sell(ev.code, { reason = string.format("condition [%s] exited", name), condition = name })
    if id then
      pending[ev.code] = { id = id, side = "sell", cost = 0 }
    else
      ctx:log("%s left %s: sell refused: %s", ev.code, name, veto)
    end
  end
end

function S.on_order(ctx, o)
  local order = pending[o.code]
  if not order or order.id ~= o.id then return end
  if o.status ~= "filled" and o.status ~= "cancelled" and o.status ~= "rejected" then return end
  pending[o.code] = nil
  if order.side == "buy" then
    if o.filled > 0 then
      owner[o.code] = order.formula
    elseif not ctx:position(o.code) then
      bought[o.code] = nil  -- nothing was bought: a later entry may try again
    end
  elseif not ctx:position(o.code) then
    owner[o.code] = nil
  end
end

function S.on_reload() return { pending = pending, bought = bought, today = today, owner = owner } end

return S
