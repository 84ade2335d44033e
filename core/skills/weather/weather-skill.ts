import { formatDate, type DatePattern } from '../date-formats.js';
import { DependencyUnavailableError, isCoreError } from '../../errors.js';
import type { IntentDefinition, SkillContext, SkillResult } from '../../model/skill.js';
import type { Skill } from '../../ports/skill.js';
import type { DailyForecast, WeatherReport } from '../../model/weather.js';
import type { WeatherProvider } from '../../ports/weather-provider.js';
import { KNOWN_CITIES } from './known-cities.js';

const CITY_SLOT = {
  name: 'city',
  entity: 'city',
  required: true,
  prompt: 'For which city?',
  fromPreferences: 'homeCity',
  remembered: true,
} as const;

/** Current conditions and a short forecast for a named city or the user's home city. */
export class WeatherSkill implements Skill {
  readonly name = 'weather';
  readonly description = 'the weather and forecast for a city';
  readonly intents: readonly IntentDefinition[] = [
    {
      name: 'weather.current',
      utterances: [
        "what's the weather",
        'what is the weather like',
        'weather',
        'how is the weather today',
        "what's the weather in {city}",
        'weather in {city}',
        'how hot is it in {city}',
        'is it cold in {city}',
        'is it raining in {city}',
        'what is the temperature in {city}',
        'tell me the weather for {city}',
        'what is the weather like outside',
        'how warm is it',
      ],
      slots: [CITY_SLOT],
    },
    {
      name: 'weather.forecast',
      utterances: [
        "what's the forecast",
        'weather forecast',
        'what is the forecast for {city}',
        'forecast for {city}',
        'will it rain tomorrow',
        'will it rain tomorrow in {city}',
        'what will the weather be like this week',
        'weather this week in {city}',
        'do I need an umbrella tomorrow',
        'forecast for the next few days',
      ],
      slots: [CITY_SLOT],
    },
  ];

  constructor(
    private readonly provider: WeatherProvider,
    private readonly cities: readonly string[] = KNOWN_CITIES,
  ) {}

  async entityValues() {
    return { city: this.cities };
  }

  async handle(context: SkillContext): Promise<SkillResult> {
    const city = String(context.slots.city ?? context.preferences.homeCity ?? '');
    const days = context.intent === 'weather.forecast' ? 4 : 2;
    try {
      const lookup = await this.provider.lookup({
        city,
        units: context.preferences.units,
        days,
        ...(context.signal && { signal: context.signal }),
      });
      if (lookup.kind === 'unknown-location') {
        return { text: `I couldn't find a place called ${lookup.query}. Which city did you mean?` };
      }
      const report = {
        ...lookup.report,
        location: { ...lookup.report.location, name: placeName(city, lookup.report) },
      };
      const text = context.intent === 'weather.forecast' ? forecastText(report) : currentText(report);
      // Remembered so that "and is it windy there?" means the same place.
      return { text, data: { weather: lookup.report }, state: { city } };
    } catch (error) {
      if (error instanceof DependencyUnavailableError || (isCoreError(error) && error.retryable)) {
        return { text: "I can't reach the weather service right now. Please try again in a moment." };
      }
      throw error;
    }
  }
}

/**
 * How the reply names the place: as found, with its region and country when the request qualified it or the
 * geocoder's best match is not the name asked for ("Portland, Oregon, United States"), so the user hears which one.
 */
function placeName(asked: string, report: WeatherReport): string {
  const { name, region, country } = report.location;
  const plainly = !asked.includes(',') && asked.trim().toLowerCase() === name.toLowerCase();
  return plainly ? name : [...new Set([name, region, country].filter((part) => part !== undefined))].join(', ');
}

function unitsOf(report: WeatherReport) {
  return report.units === 'imperial'
    ? { temp: 'degrees Fahrenheit', wind: 'miles per hour' }
    : { temp: 'degrees Celsius', wind: 'kilometres per hour' };
}

function currentText(report: WeatherReport): string {
  const units = unitsOf(report);
  const now = report.current;
  const tomorrow = report.daily[1];
  const sentences = [
    `In ${report.location.name} it's ${Math.round(now.temperature)} ${units.temp} and ${now.condition.toLowerCase()}, with wind at ${Math.round(now.windSpeed)} ${units.wind}.`,
  ];
  if (tomorrow) sentences.push(`Tomorrow: ${dayText(tomorrow)}.`);
  return sentences.join(' ');
}

function forecastText(report: WeatherReport): string {
  const days = report.daily
    .slice(0, 4)
    .map((day, index) => `${index === 0 ? 'Today' : index === 1 ? 'Tomorrow' : weekday(day.date)}: ${dayText(day)}.`);
  return `Forecast for ${report.location.name}, in ${unitsOf(report).temp}. ${days.join(' ')}`;
}

function dayText(day: DailyForecast): string {
  const rain =
    day.precipitationProbability !== undefined && day.precipitationProbability >= 30
      ? `, ${day.precipitationProbability}% chance of rain`
      : '';
  return `${day.condition.toLowerCase()}, ${Math.round(day.minTemperature)} to ${Math.round(day.maxTemperature)}${rain}`;
}

const WEEKDAY: DatePattern = { weekday: 'long' };

function weekday(date: string): string {
  return formatDate('en-US', WEEKDAY, 'UTC', new Date(`${date}T12:00:00Z`));
}
