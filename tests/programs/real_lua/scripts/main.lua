-- Run by real_lua's driver. Must never raise an error and never yield (see
-- shim/setjmp.h): both abort the program.
local out = {}
local function emit(...)
  local p = table.pack(...)
  for i = 1, p.n do p[i] = tostring(p[i]) end
  out[#out + 1] = table.concat(p, " ", 1, p.n)
end
local function flush(title)
  print("== " .. title)
  for _, l in ipairs(out) do print(l) end
  out = {}
end

-- strings -------------------------------------------------------------------
local text = "The quick brown fox jumps over the lazy dog; the DOG sleeps."
local words = {}
for w in text:gmatch("%a+") do words[#words + 1] = w:lower() end
emit("words", #words, table.concat(words, ","))
local freq = {}
for _, w in ipairs(words) do freq[w] = (freq[w] or 0) + 1 end
local keys = {}
for k in pairs(freq) do keys[#keys + 1] = k end
table.sort(keys, function(a, b)
  if freq[a] ~= freq[b] then return freq[a] > freq[b] end
  return a < b
end)
for i = 1, 5 do emit(keys[i], freq[keys[i]]) end
emit((text:gsub("(%w+) (%w+)", "%2 %1")))
emit(text:find("fox"), text:match("(%u%u%u)"), ("x"):rep(5, "-"), text:sub(-7, -2))
emit(string.format("%q", "tab\tquote\"nl\n\0end"))
emit(string.format("[%5d] [%-5d] [%05.1f] [%x] [%X] [%o] [%e] [%g] [%g]", 42, 42, 3.14159, 255, 48879, 8, 12345.678, 1e20, 0.0001))
emit(string.format("%.3f %.0f %10.4f %-10.2f|", 2 / 3, 2.5, math.pi, -1.005))
emit(string.format("%s %s %s %s", 1 / 0, -1 / 0, 2 ^ 63, math.mininteger))
emit(("%a"):format(1.0), ("%.14g"):format(0.1), tostring(0.1 + 0.2), 1e15, 1e16, -0.0)
emit(string.byte("ABC", 1, -1), string.char(72, 105), ("hello"):upper(), #"\u{48}\u{20AC}")
emit(utf8.char(72, 8364, 128512), utf8.len("h\u{20AC}llo"), utf8.codepoint("\u{20AC}"))
local packed = string.pack("<i4 d s1 z", -2, 1.5, "abc", "zero")
emit(#packed, string.unpack("<i4 d s1 z", packed))
emit(("%d items"):format(3), tostring(12):rep(3), ("  trim me  "):match("^%s*(.-)%s*$") .. "|")
flush("strings")

-- numbers -------------------------------------------------------------------
emit(7 // 2, 7.0 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 % 2, 2 ^ 10, 10 / 4)
emit(math.maxinteger, math.maxinteger + 1 == math.mininteger, math.type(1), math.type(1.0), math.type("1"))
emit(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 62, 1 << 64, -1 >> 60)
emit(math.floor(-3.5), math.ceil(-3.5), math.fmod(-7, 3), math.abs(math.mininteger), math.ult(1, -1))
emit(math.tointeger(3.0), math.tointeger(3.5), tonumber("0x10"), tonumber("  12  "), tonumber("1e2"), tonumber("z", 36))
emit(string.format("%.10f %.10f %.10f", math.sin(1), math.exp(1), math.log(10, 2)))
emit(string.format("%.6f %.6f", math.sqrt(2), math.atan(1, 2)), 8 // 0.0, -8 // 0.0, 0/0 ~= 0/0)
math.randomseed(42)
local r = {}
for i = 1, 8 do r[i] = math.random(1, 100) end
emit("random", table.concat(r, " "), string.format("%.6f", math.random()))
local sum = 0
for i = 1, 100000 do sum = sum + i * i % 7 end
emit("loop sum", sum)
flush("numbers")

-- tables --------------------------------------------------------------------
local t = {}
for i = 1, 20 do t[i] = (i * 37) % 23 end
table.sort(t)
emit(table.concat(t, " "))
table.sort(t, function(a, b) return a > b end)
emit(table.concat(t, " ", 1, 5))
table.insert(t, 1, 100); table.insert(t, 101); emit(table.remove(t), table.remove(t, 1), #t)
emit(table.concat(table.move({1, 2, 3, 4, 5}, 2, 4, 1), ","))
emit(select("#", nil, nil), select(2, "a", "b", "c"), table.unpack({1, 2, 3}, 2))
local packed2 = table.pack(1, nil, 3)
emit(packed2.n, packed2[3])
local records = {}
for i = 1, 50 do
  records[i] = {id = i, name = ("user%02d"):format(i), score = (i * 7919) % 101, team = ({"red", "green", "blue"})[i % 3 + 1]}
end
table.sort(records, function(a, b)
  if a.score ~= b.score then return a.score > b.score end
  return a.id < b.id
end)
for i = 1, 5 do emit(records[i].id, records[i].name, records[i].score, records[i].team) end
local byteam = {}
for _, rec in ipairs(records) do
  local s = byteam[rec.team] or {n = 0, total = 0}
  s.n = s.n + 1; s.total = s.total + rec.score
  byteam[rec.team] = s
end
for _, team in ipairs({"blue", "green", "red"}) do
  emit(team, byteam[team].n, byteam[team].total, string.format("%.3f", byteam[team].total / byteam[team].n))
end
-- pairs order over string keys is fixed (the build fixes the hash seed)
local order = {}
local h = {alpha = 1, beta = 2, gamma = 3, delta = 4, epsilon = 5, zeta = 6, eta = 7, theta = 8}
for k in pairs(h) do order[#order + 1] = k end
emit("pairs order", table.concat(order, " "))
flush("tables")

-- closures ------------------------------------------------------------------
local function counter(step)
  local n = 0
  return function() n = n + step; return n end
end
local c1, c2 = counter(1), counter(10)
c1(); c1(); c2()
emit(c1(), c2())
local function memoize(f)
  local cache = {}
  return function(n)
    local v = cache[n]
    if v == nil then v = f(n); cache[n] = v end
    return v
  end
end
local fib
fib = memoize(function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end)
emit(fib(50), fib(90))
local function compose(...)
  local fs = {...}
  return function(x)
    for i = #fs, 1, -1 do x = fs[i](x) end
    return x
  end
end
emit(compose(function(x) return x * 2 end, function(x) return x + 3 end)(5))
local acc = {}
for i = 1, 3 do acc[i] = function() return i * i end end
emit(acc[1](), acc[2](), acc[3]())
local function varsum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + (select(i, ...)) end
  return s, select("#", ...)
end
emit(varsum(1, 2, 3, 4.5))
do
  local i = 1
  ::top::
  if i < 4 then emit("goto", i); i = i + 1; goto top end
end
flush("closures")

-- metatables ----------------------------------------------------------------
local Vec = {}
Vec.__index = Vec
local function vec(x, y) return setmetatable({x = x, y = y}, Vec) end
Vec.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
Vec.__mul = function(a, k) return vec(a.x * k, a.y * k) end
Vec.__eq = function(a, b) return a.x == b.x and a.y == b.y end
Vec.__lt = function(a, b) return a:len2() < b:len2() end
Vec.__le = function(a, b) return a:len2() <= b:len2() end
Vec.__tostring = function(v) return ("(%g, %g)"):format(v.x, v.y) end
Vec.__len = function(v) return 2 end
Vec.__call = function(v, k) return k == 1 and v.x or v.y end
Vec.__concat = function(a, b) return tostring(a) .. tostring(b) end
Vec.__unm = function(a) return vec(-a.x, -a.y) end
function Vec:len2() return self.x * self.x + self.y * self.y end
local a, b = vec(1, 2), vec(3, -4)
emit(tostring(a + b), tostring(a * 3), tostring(-b), a == vec(1, 2), a < b, b <= a, #a, a(1), b(2), a .. b)
-- inheritance
local Animal = {}
Animal.__index = Animal
function Animal.new(name, sound) return setmetatable({name = name, sound = sound}, Animal) end
function Animal:speak() return self.name .. " says " .. self.sound end
function Animal:kind() return "animal" end
local Dog = setmetatable({}, {__index = Animal})
Dog.__index = Dog
function Dog.new(name) local d = Animal.new(name, "woof"); return setmetatable(d, Dog) end
function Dog:kind() return "dog" end
local zoo = {Animal.new("cat", "meow"), Dog.new("rex"), Animal.new("cow", "moo")}
for _, z in ipairs(zoo) do emit(z:speak(), z:kind()) end
-- __index / __newindex functions, rawget/rawset
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) log[#log + 1] = "get " .. k; return k:upper() end,
  __newindex = function(tt, k, v) log[#log + 1] = "set " .. k; rawset(tt, k, v * 2) end,
})
local _ = proxy.foo
proxy.bar = 21
emit(proxy.bar, rawget(proxy, "foo"), table.concat(log, ","))
-- weak tables and finalizers, after a full collection
local weak = setmetatable({}, {__mode = "k"})
local keep = {}
for i = 1, 10 do
  local k = {}
  weak[k] = i
  if i % 2 == 0 then keep[#keep + 1] = k end
end
local finalized = {}
for i = 1, 3 do setmetatable({}, {__gc = function() finalized[#finalized + 1] = i end}) end
collectgarbage("collect")
collectgarbage("collect")
local live = 0
for _ in pairs(weak) do live = live + 1 end
table.sort(finalized)
emit("weak live", live, "finalized", table.concat(finalized, ","))
flush("metatables")

-- coroutines (no yields: a yield is a throw, which aborts in this build) ----
local co = coroutine.create(function(x, y) return x + y, coroutine.isyieldable(), coroutine.status(coroutine.running()) end)
emit(coroutine.status(co), coroutine.resume(co, 2, 3))
emit(coroutine.status(co), coroutine.isyieldable())
local wrapped = coroutine.wrap(function(...) return select("#", ...), ... end)
emit(wrapped("a", "b", "c"))
local _, ismain = coroutine.running()
emit("main", ismain)
flush("coroutines")

-- a little interpreter: evaluate RPN expressions -------------------------------
local function rpn(src)
  local st = {}
  for tok in src:gmatch("%S+") do
    local n = tonumber(tok)
    if n then st[#st + 1] = n
    else
      local y, x = table.remove(st), table.remove(st)
      if tok == "+" then st[#st + 1] = x + y
      elseif tok == "-" then st[#st + 1] = x - y
      elseif tok == "*" then st[#st + 1] = x * y
      elseif tok == "/" then st[#st + 1] = x / y
      elseif tok == "^" then st[#st + 1] = x ^ y end
    end
  end
  return st[1]
end
for _, e in ipairs({"3 4 + 2 *", "1 2 3 4 5 + + + +", "2 0.5 ^", "10 3 /", "7 2 - 3 ^"}) do
  emit(e, "=", rpn(e))
end
-- load() of generated code
local src = {}
for i = 1, 20 do src[#src + 1] = ("local v%d = %d * %d"):format(i, i, i) end
src[#src + 1] = "return v1 + v5 + v10 + v20"
emit("load", load(table.concat(src, "\n"))())
flush("rpn/load")
print("done")
