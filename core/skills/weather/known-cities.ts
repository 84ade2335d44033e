/** Cities the NLU recognises by name; any other place is still understood as the answer to "For which city?". */
export const KNOWN_CITIES: readonly string[] = [
  'Amsterdam', 'Athens', 'Atlanta', 'Auckland', 'Austin', 'Bangkok', 'Barcelona', 'Beijing', 'Berlin', 'Bogota',
  'Boston', 'Brisbane', 'Brussels', 'Budapest', 'Buenos Aires', 'Cairo', 'Calgary', 'Cape Town', 'Chicago',
  'Copenhagen', 'Dallas', 'Delhi', 'Denver', 'Dubai', 'Dublin', 'Edinburgh', 'Florence', 'Frankfurt', 'Geneva',
  'Glasgow', 'Hamburg', 'Helsinki', 'Hong Kong', 'Honolulu', 'Houston', 'Istanbul', 'Jakarta', 'Johannesburg',
  'Kyiv', 'Lagos', 'Las Vegas', 'Lima', 'Lisbon', 'London', 'Los Angeles', 'Lyon', 'Madrid', 'Manchester',
  'Manila', 'Marseille', 'Melbourne', 'Mexico City', 'Miami', 'Milan', 'Montreal', 'Moscow', 'Mumbai', 'Munich',
  'Nairobi', 'Naples', 'New Orleans', 'New York', 'Nice', 'Osaka', 'Oslo', 'Ottawa', 'Paris', 'Perth',
  'Philadelphia', 'Phoenix', 'Portland', 'Prague', 'Quebec', 'Reykjavik', 'Rio de Janeiro', 'Rome', 'San Diego',
  'San Francisco', 'Santiago', 'Sao Paulo', 'Seattle', 'Seoul', 'Shanghai', 'Singapore', 'Stockholm', 'Sydney',
  'Taipei', 'Tokyo', 'Toronto', 'Vancouver', 'Venice', 'Vienna', 'Warsaw', 'Washington', 'Wellington', 'Zurich',
];
