// Readings get their unit, and an index for the per-device queries; both on the partitioned parent, which
// gives every partition the column and its own index.
exports.up = (pgm) => {
  pgm.addColumn({ schema: 'public', name: 'reading' }, { unit: { type: 'text', notNull: true, default: 'kWh' } });
  pgm.createIndex({ schema: 'public', name: 'reading' }, ['device_id', 'taken_on'], { name: 'reading_device_taken_idx' });
};

exports.down = (pgm) => {
  pgm.dropIndex({ schema: 'public', name: 'reading' }, ['device_id', 'taken_on'], { name: 'reading_device_taken_idx' });
  pgm.dropColumn({ schema: 'public', name: 'reading' }, 'unit');
};
