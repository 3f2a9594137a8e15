/* SQLite (the amalgamation bundled by the libsqlite3-sys crate) on an
 * in-memory database: deterministic tables, inserts through prepared
 * statements, aggregates, joins, window functions, a recursive CTE and JSON.
 * Every result is printed; nothing depends on time, randomness or pointers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"

static sqlite3 *db;

static void die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec(const char *sql) {
    char *err = 0;
    if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK) {
        fprintf(stderr, "exec failed: %s\n  in: %s\n", err ? err : "?", sql);
        sqlite3_free(err);
        exit(1);
    }
}

/* Prints every row of a query, columns separated by " | ". */
static void query(const char *title, const char *sql) {
    sqlite3_stmt *st;
    printf("== %s\n", title);
    if (sqlite3_prepare_v2(db, sql, -1, &st, 0) != SQLITE_OK) die("prepare");
    int n = sqlite3_column_count(st), rows = 0, rc;
    for (int i = 0; i < n; i++) printf("%s%s", i ? " | " : "", sqlite3_column_name(st, i));
    printf("\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            printf("%s%s", i ? " | " : "", t ? (const char *)t : "NULL");
        }
        printf("\n");
        rows++;
    }
    if (rc != SQLITE_DONE) die("step");
    sqlite3_finalize(st);
    printf("(%d rows)\n", rows);
}

static unsigned lcg_state = 12345;
static unsigned lcg(void) {
    lcg_state = lcg_state * 1103515245u + 12345u;
    return (lcg_state >> 16) & 0x7fff;
}

/* A scalar function defined by the program: weighted digit sum. */
static void digitsum(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    sqlite3_int64 v = sqlite3_value_int64(argv[0]), s = 0, w = 1;
    if (v < 0) v = -v;
    while (v) { s += (v % 10) * w++; v /= 10; }
    sqlite3_result_int64(ctx, s);
}

static int exec_rows;
static int count_cb(void *arg, int n, char **vals, char **names) {
    (void)arg; (void)names;
    exec_rows++;
    if (exec_rows <= 3) {
        for (int i = 0; i < n; i++) printf("%s%s", i ? "," : "cb: ", vals[i] ? vals[i] : "NULL");
        printf("\n");
    }
    return 0;
}

int main(void) {
    static const char *regions[] = {"north", "south", "east", "west", "central"};
    static const char *first[] = {"Ada", "Brian", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro"};
    static const char *last[] = {"Lovelace", "Kernighan", "Ritchie", "Hopper", "Knuth", "Liskov"};

    printf("sqlite %s\n", sqlite3_libversion());
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open");
    if (sqlite3_create_function(db, "digitsum", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, 0,
                                digitsum, 0, 0) != SQLITE_OK) die("create_function");

    exec("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL);"
         "CREATE TABLE products(id INTEGER PRIMARY KEY, title TEXT, price REAL);"
         "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customers(id),"
         " product INTEGER REFERENCES products(id), qty INTEGER, day INTEGER);"
         "CREATE INDEX orders_customer ON orders(customer);");

    sqlite3_stmt *ins;
    exec("BEGIN");
    if (sqlite3_prepare_v2(db, "INSERT INTO customers VALUES(?,?,?)", -1, &ins, 0)) die("prepare");
    for (int i = 1; i <= 48; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s %s", first[lcg() % 8], last[lcg() % 6]);
        sqlite3_bind_int(ins, 1, i);
        sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, regions[lcg() % 5], -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) die("insert customer");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(db, "INSERT INTO products(title, price) VALUES(?,?)", -1, &ins, 0)) die("prepare");
    for (int i = 0; i < 20; i++) {
        char title[32];
        snprintf(title, sizeof title, "widget-%02d", i);
        sqlite3_bind_text(ins, 1, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(ins, 2, (lcg() % 10000) / 100.0 + 0.99);
        if (sqlite3_step(ins) != SQLITE_DONE) die("insert product");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    if (sqlite3_prepare_v2(db, "INSERT INTO orders(customer, product, qty, day) VALUES(?,?,?,?)", -1, &ins, 0)) die("prepare");
    for (int i = 0; i < 600; i++) {
        sqlite3_bind_int(ins, 1, 1 + lcg() % 48);
        sqlite3_bind_int(ins, 2, 1 + lcg() % 20);
        sqlite3_bind_int(ins, 3, 1 + lcg() % 9);
        sqlite3_bind_int(ins, 4, lcg() % 365);
        if (sqlite3_step(ins) != SQLITE_DONE) die("insert order");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    exec("COMMIT");
    printf("changes total: %d\n", sqlite3_total_changes(db));

    query("counts",
          "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM products),"
          " (SELECT count(*) FROM orders), (SELECT sum(qty) FROM orders)");
    query("revenue by region",
          "SELECT c.region, count(*) AS n, sum(o.qty) AS units,"
          " printf('%.2f', sum(o.qty * p.price)) AS revenue,"
          " printf('%.4f', avg(o.qty * p.price)) AS avg_order"
          " FROM orders o JOIN customers c ON c.id = o.customer JOIN products p ON p.id = o.product"
          " GROUP BY c.region ORDER BY sum(o.qty * p.price) DESC");
    query("top customers",
          "SELECT c.id, c.name, round(sum(o.qty * p.price), 2) AS spent, count(*) AS orders"
          " FROM customers c JOIN orders o ON o.customer = c.id JOIN products p ON p.id = o.product"
          " GROUP BY c.id ORDER BY spent DESC, c.id LIMIT 8");
    query("products not ordered in the first two weeks",
          "SELECT title FROM products WHERE id NOT IN"
          " (SELECT product FROM orders WHERE day < 14) ORDER BY title");
    query("monthly units (window running total)",
          "SELECT month, units, sum(units) OVER (ORDER BY month) AS running,"
          " rank() OVER (ORDER BY units DESC) AS rnk FROM"
          " (SELECT day / 31 AS month, sum(qty) AS units FROM orders GROUP BY month) ORDER BY month");
    query("price stats",
          "SELECT min(price), max(price), printf('%.6f', avg(price)), total(price),"
          " group_concat(id, ',') FILTER (WHERE price > 80) FROM products");
    query("having + case",
          "SELECT region, count(*) AS n,"
          " sum(CASE WHEN name LIKE '%Knuth' THEN 1 ELSE 0 END) AS knuths"
          " FROM customers GROUP BY region HAVING count(*) > 5 ORDER BY n DESC, region");
    query("recursive cte (collatz 27)",
          "WITH RECURSIVE c(n, steps) AS (SELECT 27, 0 UNION ALL"
          " SELECT CASE WHEN n % 2 THEN 3 * n + 1 ELSE n / 2 END, steps + 1 FROM c WHERE n > 1)"
          " SELECT max(n), max(steps), sum(n) FROM c");
    query("strings",
          "SELECT upper(name), length(name), substr(name, 2, 3), replace(name, 'a', '@'),"
          " hex(substr(name, 1, 2)), instr(name, ' '), count(*) FROM customers GROUP BY name ORDER BY name DESC LIMIT 5");
    query("json",
          "SELECT json_object('region', region, 'ids', json_group_array(id))"
          " FROM (SELECT * FROM customers ORDER BY id) GROUP BY region ORDER BY region");
    query("floats",
          "SELECT 1.0/3, 2.5e-7 * 4, 1e300 * 10, -0.0, 0.1 + 0.2, cast(123456789012 AS REAL),"
          " round(2.675, 2), 7 / 2, 7 % 3, abs(-9223372036854775807)");
    query("user function",
          "SELECT id, digitsum(id * 7919) FROM customers WHERE id % 9 = 0 ORDER BY 2 DESC, 1");

    exec("UPDATE products SET price = price * 1.1 WHERE id % 3 = 0;"
         "DELETE FROM orders WHERE qty = 1;");
    printf("changes after update/delete: %d\n", sqlite3_changes(db));
    query("after update/delete",
          "SELECT count(*), sum(qty), printf('%.3f', sum(qty * price))"
          " FROM orders JOIN products ON products.id = orders.product");

    exec_rows = 0;
    char *err = 0;
    if (sqlite3_exec(db, "SELECT id, name FROM customers ORDER BY id", count_cb, 0, &err)) die("exec cb");
    printf("callback rows: %d\n", exec_rows);

    /* An error path that must be reported, not crash. */
    sqlite3_stmt *bad;
    int rc = sqlite3_prepare_v2(db, "SELECT nosuchcol FROM customers", -1, &bad, 0);
    printf("bad query rc=%d msg=%s\n", rc, sqlite3_errmsg(db));

    query("integrity", "PRAGMA integrity_check");
    sqlite3_close(db);
    printf("done\n");
    return 0;
}
