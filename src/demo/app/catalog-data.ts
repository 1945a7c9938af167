/**
 * The shop's seed data: twenty products over four categories, and the SQL
 * that creates and fills the `shop` database (one statement per line, as
 * PostgreSQL's single-user mode reads them).
 */
import type { Product } from './proto.js';

const NAMES: Record<string, string[]> = {
  books: ['The Pragmatic Packet', 'TCP/IP Illustrated', 'Designing Data Systems', 'Kubernetes Up and Running', 'The Wire Format'],
  games: ['Settlers of Subnet', 'Ticket to Route', 'Packet Pandemic', 'Carcassonne: Data Center', 'Exploding Pods'],
  kitchen: ['Cast Iron Skillet', 'Pour-over Kettle', 'Chef Knife 8"', 'Sourdough Starter Kit', 'Espresso Tamper'],
  garden: ['Raised Bed Kit', 'Hose Reel', 'Pruning Shears', 'Seed Sampler', 'Compost Bin'],
};

export const PRODUCTS: Product[] = Object.entries(NAMES).flatMap(([category, names], c) =>
  names.map((name, i) => ({ id: c * names.length + i + 1, name, priceCents: 999 + ((c * 7 + i * 13) % 20) * 250, stock: 5 + ((c + i * 3) % 40), category })));

const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Statements run in the `shop` database, one per line. */
export function seedSql(): string {
  return [
    'CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL, stock integer NOT NULL, category text NOT NULL)',
    'CREATE INDEX products_category ON products (category)',
    'CREATE TABLE orders (id serial PRIMARY KEY, cart_id text NOT NULL, items integer NOT NULL, total_cents integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    `INSERT INTO products VALUES ${PRODUCTS.map((p) => `(${p.id}, ${quote(p.name)}, ${p.priceCents}, ${p.stock}, ${quote(p.category)})`).join(', ')}`,
    '',
  ].join('\n');
}
