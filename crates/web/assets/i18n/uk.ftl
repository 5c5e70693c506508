# Текст інтерфейсу aidtrace, українська.
nav-dashboard = Огляд
nav-activities = Проєкти
nav-facilities = Заклади
nav-map = Мапа
nav-organisations = Організації
nav-quality = Якість даних
nav-changes = Зміни
nav-import = Імпорт
nav-assets = Обладнання
nav-energy = Енергетика
nav-intake = Вхідні
nav-api = API
sign-in = Увійти
sign-out = Вийти
public-view = Відкритий перегляд: лише затверджені дані
footer = Перерахунок за курсами Міжнародного валютного фонду, якщо не зазначено інше. Джерело: Міжнародний валютний фонд.
title-dashboard = Огляд
title-activities = Проєкти
title-facilities = Заклади
title-map = Мапа закладів
title-organisations = Організації
title-quality = Якість даних
title-import = Імпорт
title-changes = Зміни
title-sign-in = Вхід
card-activities =
    { $count ->
        [one] проєкт
        [few] проєкти
       *[other] проєктів
    }
card-flows =
    { $count ->
        [one] платіж
        [few] платежі
       *[other] платежів
    }
card-facilities =
    { $count ->
        [one] заклад
        [few] заклади
       *[other] закладів
    }
card-organisations =
    { $count ->
        [one] організація
        [few] організації
       *[other] організацій
    }
card-problems =
    { $count ->
        [one] проблема якості даних
        [few] проблеми якості даних
       *[other] проблем якості даних
    }
chart-by-donor = Потоки за донорами та видами (USD за курсами МВФ)
chart-by-year = Перераховані потоки за роками та видами (USD за курсами МВФ)
by-donor = За донорами
by-recipient = За отримувачами
by-region = За регіонами
by-sector = За галузями
by-year = За роками
export = Вивантаження
search = Пошук
filter = Відібрати
any = будь-який
status = Статус
instrument = Інструмент
flows = Потоки коштів
equipment = Обладнання
sources = Джерела
findings = Зауваження
history = Історія змін
language = Мова
# Equipment pages (asset_pages.rs)
title-assets = Реєстр обладнання
title-asset-indicators = Показники обладнання
assets-facility = Заклад
assets-donor = Донор
assets-currency = Валюта
assets-count = одиниць
assets-tag = Інвентарний номер
assets-model = Модель
assets-since = З
assets-open-orders = Відкриті заявки
assets-money-to-machine = Від грошей до апарата
assets-donation-failures = Непройдені перевірки пожертви
assets-responsible = Відповідає за експлуатацію
assets-om-payer = Оплачує експлуатацію
assets-report-down = Повідомити про несправність
assets-back-in-service = Знову працює
assets-short-url = Коротке посилання (для QR-мітки)
assets-events = Життєвий цикл
assets-downtime = Простої
assets-work-orders = Заявки на роботи
assets-pm-schedule = Планове обслуговування
assets-from = З
assets-to = По
assets-by = За групами
assets-cause = Причина
assets-note = Примітка
assets-of-facility = Обладнання закладу (реєстр, час роботи)
assets-cause-mechanical = Механічна несправність
assets-cause-electrical = Електрична несправність
assets-cause-external-power = Немає електроживлення
assets-cause-user-error = Помилка користувача
assets-cause-wear = Знос
assets-cause-consumables-out-of-stock = Немає витратних матеріалів
assets-cause-awaiting-parts = Очікування запчастин
assets-cause-planned-maintenance = Планове обслуговування
assets-cause-other = Інше

# Energy: generator allocation plan
title-energy = План розподілу генераторів
energy-map = Заклади за часткою покритого непокритого критичного навантаження
energy-fleet = Парк
energy-fleet-illustrative = умовний парк (у базі його немає; вкажіть ?units=МОДЕЛЬ:КВТ:КІЛЬКІСТЬ,…)
energy-horizon = Горизонт
energy-fuel = Пальне
energy-max-units = Не більше установок на заклад
energy-objective = Покриті зважені кВт
energy-bound = Верхня межа
energy-gap = Розрив
energy-facility = Заклад
energy-region = Регіон
energy-weight = Вага
energy-unmet-kw = Непокрите критичне навантаження, кВт
energy-units = Установки за моделями
energy-covered-kw = Покрито, кВт
energy-binding = Обмежувальна умова
energy-export-csv = Експортувати в CSV
energy-note = Непокрите критичне навантаження = працююче обладнання високої та середньої критичності мінус наявне резервне живлення (кВА × 0,8); обладнання без зазначеної потужності рахується як 0. Зелений: покрито; помаранчевий: частково; червоний: не покрито; сірий: нічого покривати.

# intake review
title-intake = Розбір вхідних
intake-intro = Вставте прес-реліз або новину: aidtrace підготує чернетки фактів допомоги, кожен з посиланням на вихідні слова, і перевірить їх за обмінними курсами та наявними записами. Редактори й адміністратори приймають (за потреби з правкою поле=значення) або відхиляють кожен факт; прийняті факти стають записами з посиланням на статтю.
intake-title = Заголовок (типово перший рядок)
intake-url = Адреса (URL)
intake-published = Дата публікації
intake-text = Текст статті
intake-submit = Підготувати факти
intake-queue = Черга на перевірку
intake-empty = Чернеток поки немає.
intake-no-facts = У статті не знайдено фактів допомоги.
intake-submitted-by = надіслав
intake-donor = Донор
intake-recipient = Отримувач
intake-items = Обладнання
intake-reason = Причина
intake-reviewed-by = перевірив
intake-records = Записи
intake-accept = Прийняти
intake-reject = Відхилити
intake-check-fx-off = Зазначений еквівалент не збігається з курсом МВФ
intake-check-fx-ok = Зазначений еквівалент збігається з курсом МВФ
intake-check-fx-unchecked = Зазначений еквівалент не перевірено
intake-check-same-as = Збігається з наявним потоком
intake-ratio = відношення
